import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { rootDigest } from "../../audit/score-digest.js";
import { conflict, DomainError, notFound } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { models, scoringChunks, scoringRuns } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";
import { driftSummary, runDrift } from "./drift.js";

/*
 * A scoring run's state: reading it with its progress, and the moves the worker makes (a chunk's
 * context, running, failed, finalized with its root digest and drift). Creating a run and planning
 * its chunks is in scoring-run-planning.ts; an officer's cancel, resume and drop in
 * scoring-run-actions.ts.
 */

/** A run with its progress: chunks and files done, files per second and the estimated time left. */
export async function getScoringRun(db: Db, id: string) {
  const [run] = await db.select().from(scoringRuns).where(eq(scoringRuns.id, id));
  if (!run) throw notFound(`scoring run ${id}`);
  const [done] = await queryRows<{ chunks: number; files: number }>(
    db,
    sql`select count(*)::int as chunks, coalesce(sum(n), 0)::int as files
        from scoring_chunks where run_id = ${id}::uuid and digest is not null`,
  );
  const end = run.finishedAt ?? new Date();
  const seconds = run.startedAt ? Math.max(0.001, (end.getTime() - run.startedAt.getTime()) / 1000) : 0;
  const filesPerSecond = seconds > 0 ? done.files / seconds : 0;
  const left = run.totalFiles - done.files;
  return {
    run,
    progress: {
      chunksDone: done.chunks,
      filesDone: done.files,
      filesPerSecond: Math.round(filesPerSecond),
      etaSeconds: run.status === "running" && filesPerSecond > 0 ? Math.round(left / filesPerSecond) : null,
      elapsedSeconds: Math.round(seconds * 10) / 10,
    },
  };
}

/** Newest first, keyset-paged on created_at. */
export async function listScoringRuns(db: Db, opts: { limit: number; before?: Date }) {
  const rows = await db
    .select()
    .from(scoringRuns)
    .where(opts.before ? lt(scoringRuns.createdAt, opts.before) : undefined)
    .orderBy(desc(scoringRuns.createdAt))
    .limit(opts.limit + 1);
  const more = rows.length > opts.limit;
  const items = more ? rows.slice(0, opts.limit) : rows;
  return { items, nextBefore: more ? items[items.length - 1].createdAt : null };
}

/** What a chunk job needs: the run, its chunk and the model's artifact. */
export async function chunkContext(db: Db, runId: string, chunkNo: number) {
  const [row] = await db
    .select({ run: scoringRuns, chunk: scoringChunks })
    .from(scoringChunks)
    .innerJoin(scoringRuns, eq(scoringRuns.id, scoringChunks.runId))
    .where(and(eq(scoringChunks.runId, runId), eq(scoringChunks.chunkNo, chunkNo)));
  return row ?? null;
}

/** The model's artifact, its SHA-256 and its drift reference (null on models trained before drift; cached by the caller per process). */
export async function modelArtifact(db: Db, modelId: string) {
  const [row] = await db
    .select({ artifact: models.artifact, sha: models.artifactSha256, driftReference: models.driftReference })
    .from(models)
    .where(eq(models.id, modelId));
  if (!row?.artifact || !row.sha) return null;
  return { artifact: row.artifact, sha256: row.sha, driftReference: row.driftReference };
}

/** queued → running on the first chunk that starts (started_at is the start of the first attempt). */
export async function markRunRunning(db: Db, runId: string): Promise<void> {
  await db
    .update(scoringRuns)
    .set({ status: "running", startedAt: sql`coalesce(${scoringRuns.startedAt}, now())` })
    .where(and(eq(scoringRuns.id, runId), eq(scoringRuns.status, "queued")));
}

/** A chunk failed after its retries: the run fails with the reason (unless already finished). */
export async function failScoringRun(db: Db, runId: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [run] = await tx
      .update(scoringRuns)
      .set({ status: "failed", error: reason, finishedAt: new Date() })
      .where(and(eq(scoringRuns.id, runId), inArray(scoringRuns.status, ["queued", "running"])))
      .returning({ id: scoringRuns.id });
    if (run) {
      await appendAuditEvent(tx, {
        actor: { keyId: null, id: "system", name: "worker", role: "admin", units: [] },
        action: "scoring_run.fail",
        target: runId,
        details: { reason },
      });
    }
  });
}

/**
 * finalize-run: when every chunk has its digest, computes the root digest and completes the run.
 * Idempotent (a completed run is returned as is); a cancelled or failed run is left alone.
 */
export async function finalizeScoringRun(db: Db, runId: string, requestId?: string) {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(scoringRuns).where(eq(scoringRuns.id, runId)).for("update");
    if (!run) throw new DomainError("not_found", `scoring run ${runId} was not found`);
    if (run.status !== "queued" && run.status !== "running") return { run, finalized: false };
    const chunks = await tx
      .select({ chunkNo: scoringChunks.chunkNo, digest: scoringChunks.digest, n: scoringChunks.n, drift: scoringChunks.drift })
      .from(scoringChunks)
      .where(eq(scoringChunks.runId, runId));
    const open = chunks.filter((c) => !c.digest);
    if (open.length) throw conflict(`${open.length} chunks of run ${runId} have no digest yet`);
    const root = rootDigest(runId, chunks as { chunkNo: number; digest: string }[]);
    const total = chunks.reduce((s, c) => s + c.n, 0);
    const finishedAt = new Date();
    const startedAt = run.startedAt ?? finishedAt;
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const [model] = await tx.select({ driftReference: models.driftReference }).from(models).where(eq(models.id, run.modelId));
    const drift = runDrift(model?.driftReference, chunks.map((c) => c.drift));
    const [updated] = await tx
      .update(scoringRuns)
      .set({
        status: "completed",
        rootDigest: root,
        totalFiles: total,
        finishedAt,
        startedAt,
        drift: drift as unknown as Record<string, unknown> | null,
        progress: { ...run.progress, durationMs, filesPerSecond: Math.round(total / Math.max(durationMs / 1000, 0.001)) },
      })
      .where(eq(scoringRuns.id, runId))
      .returning();
    await appendAuditEvent(tx, {
      actor: { keyId: null, id: "system", name: "worker", role: "admin", units: [] },
      action: "scoring_run.complete",
      target: runId,
      details: { rootDigest: root, files: total, chunks: chunks.length, durationMs, ...(drift ? { drift: driftSummary(drift) } : {}) },
      requestId,
    });
    return { run: updated, finalized: true };
  });
}
