import { and, eq, isNull, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict, notFound } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { scoringChunks, scoringRuns } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

/*
 * What an officer does to a run once it exists: cancel it, resume its unfinished chunks, or drop
 * its scores (retention). Each is one transaction that locks the run and appends its audit event.
 */

/** Stops a queued or running run: chunks not yet started skip, the parent does not complete it. */
export async function cancelScoringRun(db: Db, runId: string, actor: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(scoringRuns).where(eq(scoringRuns.id, runId)).for("update");
    if (!run) throw notFound(`scoring run ${runId}`);
    if (run.status !== "queued" && run.status !== "running") throw conflict(`a ${run.status} run cannot be cancelled`);
    const [updated] = await tx
      .update(scoringRuns)
      .set({ status: "cancelled", finishedAt: new Date(), error: `cancelled by ${actor.id}` })
      .where(eq(scoringRuns.id, runId))
      .returning();
    await appendAuditEvent(tx, { actor, action: "scoring_run.cancel", target: runId, requestId });
    return updated;
  });
}

/**
 * Reopens a failed or cancelled run for its unfinished chunks only (digest still null): bumps the
 * attempt (fresh job ids) and returns the chunk numbers to enqueue.
 */
export async function resumeScoringRun(db: Db, runId: string, actor: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(scoringRuns).where(eq(scoringRuns.id, runId)).for("update");
    if (!run) throw notFound(`scoring run ${runId}`);
    if (run.status !== "failed" && run.status !== "cancelled") throw conflict(`a ${run.status} run cannot be resumed`);
    const open = await tx
      .select({ chunkNo: scoringChunks.chunkNo })
      .from(scoringChunks)
      .where(and(eq(scoringChunks.runId, runId), isNull(scoringChunks.digest)))
      .orderBy(scoringChunks.chunkNo);
    const attempt = Number(run.progress?.attempt ?? 1) + 1;
    const [updated] = await tx
      .update(scoringRuns)
      .set({ status: "queued", error: null, finishedAt: null, progress: { ...run.progress, attempt } })
      .where(eq(scoringRuns.id, runId))
      .returning();
    await appendAuditEvent(tx, {
      actor,
      action: "scoring_run.resume",
      target: runId,
      details: { attempt, chunks: open.length },
      requestId,
    });
    return { run: updated, attempt, chunkNos: open.map((c) => c.chunkNo) };
  });
}

/** Retention: drops the run's whole scores partition (rows are never deleted one by one), audited. */
export async function dropRunScores(db: Db, runId: string, actor: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(scoringRuns).where(eq(scoringRuns.id, runId)).for("update");
    if (!run) throw notFound(`scoring run ${runId}`);
    if (run.status === "queued" || run.status === "running") throw conflict("cancel the run before dropping its scores");
    const [{ dropped }] = await queryRows<{ dropped: boolean }>(tx, sql`select cts_drop_scores_partition(${runId}::uuid) as dropped`);
    if (!dropped) throw conflict(`the scores of run ${runId} were already dropped`);
    await tx
      .update(scoringRuns)
      .set({ progress: { ...run.progress, scoresDroppedAt: new Date().toISOString(), scoresDroppedBy: actor.id } })
      .where(eq(scoringRuns.id, runId));
    await appendAuditEvent(tx, {
      actor,
      action: "scoring_run.scores.drop",
      target: runId,
      details: { files: run.totalFiles, rootDigest: run.rootDigest },
      requestId,
    });
    return { runId, dropped };
  });
}
