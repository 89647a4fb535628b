import { z } from "@hono/zod-openapi";
import { appendAuditEvent, verifyAuditChain } from "../../../db/queries/audit-events.js";
import { verifyRunScores } from "../../../db/queries/scores.js";
import { notFound } from "../../../errors.js";
import { fmtInt } from "../../format.js";
import { formText } from "../../guard.js";
import { actorOf, type WebContext } from "../../session.js";

const REASONS = {
  hash_mismatch: "its stored hash is not the hash of its own content: the event was changed after it was written",
  prev_hash_mismatch: "it does not point to the event before it: an event was removed or inserted before it",
  id_gap: "its number does not follow the one before: events are missing",
} as const;

/**
 * One click verification, explained in words; the same recomputation and the same audit events
 * (`audit.verify`, `audit.verify.run`) as GET /v1/audit/verify.
 */
export async function verify(c: WebContext) {
  const actor = actorOf(c);
  const { db } = c.get("deps").database;
  const form = await c.req.parseBody();
  const run = formText(form, "run");
  let body: unknown;
  if (run) {
    if (!z.string().uuid().safeParse(run).success) throw notFound(`scoring run ${run}`);
    const report = await verifyRunScores(db, run);
    if (!report) throw notFound(`scoring run ${run}`);
    await appendAuditEvent(db, {
      actor,
      action: "audit.verify.run",
      target: run,
      details: { ok: report.ok, chunks: report.chunks, mismatched: report.mismatchedChunks.map((m) => m.chunkNo) },
      requestId: c.get("requestId"),
    });
    body = report.ok ? (
      <div class="notice ok" role="status" data-testid="verify-result">
        <strong>The run's scores hold.</strong> All {fmtInt(report.rows)} scores in {fmtInt(report.chunks)} chunks were
        recomputed into digests that match the ones stored when they were written
        {report.chainOk ? ", and the run's root digest matches the one in the audit chain" : ""}.
      </div>
    ) : (
      <div class="notice bad" role="alert" data-testid="verify-result">
        <strong>The run's scores do not hold.</strong>{" "}
        {report.mismatchedChunks.length > 0 && `${report.mismatchedChunks.length} chunk(s) differ from their stored digest (first: files ${report.mismatchedChunks[0].firstFileId}…${report.mismatchedChunks[0].lastFileId}). `}
        {report.rowsOutsideChunks !== 0 && `${report.rowsOutsideChunks} score(s) lie outside every chunk. `}
        {report.chainOk === false && "The root digest differs from the one in the audit chain."}
      </div>
    );
  } else {
    const result = await verifyAuditChain(db);
    await appendAuditEvent(db, {
      actor,
      action: "audit.verify",
      details: { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBroken?.id ?? null },
      requestId: c.get("requestId"),
    });
    body = result.ok ? (
      <div class="notice ok" role="status" data-testid="verify-result">
        <strong>The audit chain holds.</strong> All {fmtInt(result.checked)} events were recomputed in order: each one's hash
        covers its content and the hash of the event before, so none was changed, removed or inserted since it was written.
      </div>
    ) : (
      <div class="notice bad" role="alert" data-testid="verify-result">
        <strong>The audit chain is broken at event #{result.firstBroken?.id}</strong>: {result.firstBroken && REASONS[result.firstBroken.reason]}.{" "}
        {fmtInt(result.checked)} events before it hold.
      </div>
    );
  }
  if (c.req.header("hx-request")) return c.html(body as string);
  return c.render(
    <>
      <h1>Verification</h1>
      {body}
      <p>
        <a href="/app/audit">Back to the audit trail</a>
      </p>
    </>,
    { title: "Verification" },
  );
}
