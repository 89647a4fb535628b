import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Actor } from "../../auth/actor.js";
import { rootDigest } from "../../audit/score-digest.js";
import { conflict, DomainError, invalid, notFound } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { files, models, scoringChunks, scoringRuns } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

/** Which files a run scores: every file, the files of some units, or a list of ids. */
export type RunScope = { all: true } | { units: string[] } | { fileIds: string[] };

export interface NewScoringRun {
  modelId?: string;
  scope: RunScope;
  shadow: boolean;
}

/** The SQL condition on `files` for a scope (also used by the chunk reader, via the stored scope). */
export function scopeCondition(scope: RunScope) {
  if ("units" in scope) return inArray(files.unit, scope.units);
  if ("fileIds" in scope) return inArray(files.id, scope.fileIds);
  return sql`true`;
}

/**
 * Creates a run in one transaction: resolves the model (the active one by default; 409 when
 * none), inserts the run, creates its scores partition, plans its chunks as keyset ranges of
 * `chunkSize` files over files.id, and appends the audit event. The caller then adds the flow.
 */
export async function createScoringRun(db: Db, input: NewScoringRun, actor: Actor, chunkSize: number, requestId?: string) {
  return db.transaction(async (tx) => {
    const [model] = await tx
      .select({ id: models.id, status: models.status, sha: models.artifactSha256 })
      .from(models)
      .where(input.modelId ? eq(models.id, input.modelId) : eq(models.status, "active"))
      .limit(1);
    if (!model) {
      if (input.modelId) throw notFound(`model ${input.modelId}`);
      throw conflict("no model is active: activate one, or name a trained model with modelId", { reason: "no_active_model" });
    }
    if (!model.sha) throw conflict(`model ${model.id} has no artifact (status ${model.status})`);
    const id = randomUUID();
    await tx.insert(scoringRuns).values({
      id,
      modelId: model.id,
      scope: input.scope as Record<string, unknown>,
      shadow: input.shadow,
      requestedBy: actor.id,
      progress: { attempt: 1 },
    });
    await tx.execute(sql`select cts_create_scores_partition(${id}::uuid)`);
    // One pass over the files index: row_number in keyset order, cut every chunkSize rows.
    await tx.execute(sql`
      insert into scoring_chunks (run_id, chunk_no, first_file_id, last_file_id, n)
      select ${id}::uuid, chunk_no, min(id), max(id), count(*)
      from (select ${files.id} as id, (row_number() over (order by ${files.id}) - 1) / ${chunkSize}::int as chunk_no
            from ${files} where ${scopeCondition(input.scope)}) ranked
      group by chunk_no`);
    const [totals] = await queryRows<{ chunks: number; files: number }>(
      tx,
      sql`select count(*)::int as chunks, coalesce(sum(n), 0)::int as files from scoring_chunks where run_id = ${id}::uuid`,
    );
    // Rolls back the run and its partition: a run over nothing would only clutter the trail.
    if (totals.files === 0) throw invalid("the scope matches no files", [{ path: "scope", message: "matches no files" }]);
    const [run] = await tx
      .update(scoringRuns)
      .set({ totalChunks: totals.chunks, totalFiles: totals.files })
      .where(eq(scoringRuns.id, id))
      .returning();
    await appendAuditEvent(tx, {
      actor,
      action: "scoring_run.create",
      target: id,
      details: { modelId: model.id, scope: input.scope, shadow: input.shadow, files: totals.files, chunks: totals.chunks, chunkSize },
      requestId,
    });
    return { run, modelSha256: model.sha };
  });
}

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

/** The model's artifact and its SHA-256 (cached by the caller per process). */
export async function modelArtifact(db: Db, modelId: string) {
  const [row] = await db
    .select({ artifact: models.artifact, sha: models.artifactSha256 })
    .from(models)
    .where(eq(models.id, modelId));
  if (!row?.artifact || !row.sha) return null;
  return { artifact: row.artifact, sha256: row.sha };
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

/**
 * finalize-run: when every chunk has its digest, computes the root digest and completes the run.
 * Idempotent (a completed run is returned as is); a cancelled or failed run is left alone.
 */
export async function finalizeScoringRun(db: Db, runId: string) {
  return db.transaction(async (tx) => {
    const [run] = await tx.select().from(scoringRuns).where(eq(scoringRuns.id, runId)).for("update");
    if (!run) throw new DomainError("not_found", `scoring run ${runId} was not found`);
    if (run.status !== "queued" && run.status !== "running") return { run, finalized: false };
    const chunks = await tx
      .select({ chunkNo: scoringChunks.chunkNo, digest: scoringChunks.digest, n: scoringChunks.n })
      .from(scoringChunks)
      .where(eq(scoringChunks.runId, runId));
    const open = chunks.filter((c) => !c.digest);
    if (open.length) throw conflict(`${open.length} chunks of run ${runId} have no digest yet`);
    const root = rootDigest(runId, chunks as { chunkNo: number; digest: string }[]);
    const total = chunks.reduce((s, c) => s + c.n, 0);
    const finishedAt = new Date();
    const startedAt = run.startedAt ?? finishedAt;
    const durationMs = finishedAt.getTime() - startedAt.getTime();
    const [updated] = await tx
      .update(scoringRuns)
      .set({
        status: "completed",
        rootDigest: root,
        totalFiles: total,
        finishedAt,
        startedAt,
        progress: { ...run.progress, durationMs, filesPerSecond: Math.round(total / Math.max(durationMs / 1000, 0.001)) },
      })
      .where(eq(scoringRuns.id, runId))
      .returning();
    await appendAuditEvent(tx, {
      actor: { keyId: null, id: "system", name: "worker", role: "admin", units: [] },
      action: "scoring_run.complete",
      target: runId,
      details: { rootDigest: root, files: total, chunks: chunks.length, durationMs },
    });
    return { run: updated, finalized: true };
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
