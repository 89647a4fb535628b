import { appendAuditEvent, listAuditEvents, verifyAuditChain } from "../../../db/queries/audit-events.js";
import type { AppRouteHandler } from "../../types.js";
import { listFileScores, verifyRunScores } from "../../../db/queries/scores.js";
import { notFound } from "../../../errors.js";
import type { CheckpointRoute, EventsRoute, FileScoresRoute, VerifyCheckpointRoute, VerifyRoute } from "./audit.routes.js";
import { auditSigningKey, createAuditCheckpoint, verifyAgainstCheckpoint } from "../../../db/queries/audit-checkpoints.js";
import { expandReasons } from "../../reasons.js";

export const events: AppRouteHandler<EventsRoute> = async (c) => {
  const query = c.req.valid("query");
  const { db } = c.get("deps").database;
  const page = await listAuditEvents(db, query);
  // Reading the trail is itself a list pulled, so it is recorded (after the read, so the page
  // never contains its own event).
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "audit.events.read",
    details: { ...query, returned: page.items.length },
    requestId: c.get("requestId"),
  });
  return c.json(
    { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextAfter: page.nextAfter },
    200,
  );
};

export const verify: AppRouteHandler<VerifyRoute> = async (c) => {
  const { db } = c.get("deps").database;
  const { run } = c.req.valid("query");
  if (run) {
    const report = await verifyRunScores(db, run);
    if (!report) throw notFound(`scoring run ${run}`);
    await appendAuditEvent(db, {
      actor: c.get("actor"),
      action: "audit.verify.run",
      target: run,
      details: { ok: report.ok, chunks: report.chunks, mismatched: report.mismatchedChunks.map((m) => m.chunkNo) },
      requestId: c.get("requestId"),
    });
    return c.json(report, 200);
  }
  const result = await verifyAuditChain(db);
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "audit.verify",
    details: { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBroken?.id ?? null },
    requestId: c.get("requestId"),
  });
  return c.json(result, 200);
};

export const checkpoint: AppRouteHandler<CheckpointRoute> = async (c) => {
  const { database, config } = c.get("deps");
  const key = auditSigningKey(config);
  const signed = await createAuditCheckpoint(database.db, key, c.get("actor"), c.get("requestId"));
  return c.json({ checkpoint: signed, publicKey: key.publicKeyPem }, 200);
};

export const verifyCheckpoint: AppRouteHandler<VerifyCheckpointRoute> = async (c) => {
  const { database, config } = c.get("deps");
  const { checkpoint: saved } = c.req.valid("json");
  const report = await verifyAgainstCheckpoint(database.db, saved, auditSigningKey(config));
  await appendAuditEvent(database.db, {
    actor: c.get("actor"),
    action: "audit.verify.checkpoint",
    details: { ok: report.ok, count: saved.count, at: saved.at, findings: report.findings },
    requestId: c.get("requestId"),
  });
  return c.json(report, 200);
};

export const fileScores: AppRouteHandler<FileScoresRoute> = async (c) => {
  const { fileId } = c.req.valid("param");
  const { db } = c.get("deps").database;
  const rows = await listFileScores(db, fileId);
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "audit.file_scores.read",
    target: fileId,
    details: { returned: rows.length },
    requestId: c.get("requestId"),
  });
  const items = rows.map((r) => ({
    ...r,
    runStatus: r.runStatus as string,
    createdAt: r.createdAt.toISOString(),
    reasons: expandReasons(r.reasons),
  }));
  return c.json({ fileId, items }, 200);
};
