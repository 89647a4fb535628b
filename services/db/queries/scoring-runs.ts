import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { rootDigest } from "../../audit/score-digest.js";
import { conflict, DomainError, invalid, notFound } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { files, models, scoringChunks, scoringRuns } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";
import { driftSummary, runDrift } from "./drift.js";

/** Which files a run scores: every file, the files of some units, or a list of ids. */
export type RunScope = { all: true } | { units: string[] } | { fileIds: string[] };

export interface NewScoringRun {
  modelId?: string;
  scope: RunScope;
  shadow: boolean;
}

/**
 * The SQL condition on `files` for a scope (the chunk reader reads the stored scope the same way).
 * The values go as one JSON parameter, so a scope of a million file ids stays one parameter
 * (Postgres caps a statement at 65,534).
 */
export function scopeCondition(scope: RunScope) {
  if ("units" in scope) return sql`${files.unit} in (select jsonb_array_elements_text(${JSON.stringify(scope.units)}::jsonb))`;
  if ("fileIds" in scope) return sql`${files.id} in (select jsonb_array_elements_text(${JSON.stringify(scope.fileIds)}::jsonb))`;
  return sql`true`;
}

/**
 * Creates a run in one transaction: resolves the model (the active one by default; 409 when
 * none), inserts the run, creates its scores partition, plans its chunks (planChunks), and
 * appends the audit event. The caller then adds the flow.
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
    const totals = await planChunks(tx, id, input.scope, chunkSize);
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

/** Files sampled to plan a large run's chunks, and the table size from which it pays (planChunks). */
const SAMPLED_PLAN_ROWS = 50_000;
const SAMPLED_PLAN_MIN_TABLE = 200_000;

/**
 * Plans a run's chunks as keyset ranges [first_file_id, last_file_id] of about `chunkSize` files of
 * the scope, and returns their count and the files they are expected to hold.
 *
 * Exact plans number every file in scope in id order and cut every chunkSize: one pass over the
 * index, which the API request waits for (1.5 s for 1,000,000 freshly imported files, 0.35 s once
 * vacuumed; 50 million would take over a minute). So from 200,000 files (and 20 chunks) on, the
 * cut points are quantiles of a block sample (TABLESAMPLE SYSTEM) of about 50,000 ids of the table,
 * those in scope kept, whatever the table's size (80 ms at 1,000,000), and each range ends at the
 * last id before the next cut (an index probe), so the ranges still cover every file in scope once.
 * Chunk sizes then vary (0.7x to 1.5x measured at 1,000,000) and each chunk's n is an estimate
 * until its scores are written; the run's totalFiles is exact when it completes
 * (finalizeScoringRun). A sample that finds under 1/25 of its size in scope (a small unit) falls
 * back to the exact plan, which is cheap for a small scope.
 */
export async function planChunks(
  tx: Db,
  runId: string,
  scope: RunScope,
  chunkSize: number,
  { sampleRows = SAMPLED_PLAN_ROWS, minTableRows = SAMPLED_PLAN_MIN_TABLE } = {},
): Promise<{ chunks: number; files: number }> {
  // reltuples: the planner's estimate (-1 before the first ANALYZE, when the exact plan is used).
  const [{ rows }] = await queryRows<{ rows: number }>(tx, sql`select reltuples::float8 as rows from pg_class where oid = 'files'::regclass`);
  if (rows >= minTableRows && rows > 20 * chunkSize && !("fileIds" in scope)) {
    const percent = Math.min(100, (100 * sampleRows) / rows);
    const sample = await queryRows<{ id: string }>(
      tx,
      sql`select id from ${files} tablesample system (${percent}) where ${scopeCondition(scope)} order by id`,
    );
    if (sample.length >= sampleRows / 25) {
      const estimate = Math.round((100 * sample.length) / percent);
      const count = Math.max(1, Math.round(estimate / chunkSize));
      // Cut k starts chunk k: the sampled id at the k-th count-quantile, in the database's order.
      const cuts = Array.from({ length: count - 1 }, (_, k) => sample[Math.floor(((k + 1) * sample.length) / count)].id);
      await tx.execute(sql`
        with cut as (select value as id, ordinality::int as k from jsonb_array_elements_text(${JSON.stringify(cuts)}::jsonb) with ordinality),
             chunk as (select 0 as no, null::text as first union all select k, id from cut)
        insert into scoring_chunks (run_id, chunk_no, first_file_id, last_file_id, n)
        select ${runId}::uuid, chunk.no,
               coalesce(chunk.first, (select min(id) from ${files})),
               coalesce((select max(f.id) from ${files} f where f.id < next.id), (select max(id) from ${files})),
               ${Math.round(estimate / count)}::int
        from chunk left join cut next on next.k = chunk.no + 1`);
      return { chunks: count, files: estimate };
    }
  }
  // One pass over the files index: row_number in keyset order, cut every chunkSize rows.
  await tx.execute(sql`
    insert into scoring_chunks (run_id, chunk_no, first_file_id, last_file_id, n)
    select ${runId}::uuid, chunk_no, min(id), max(id), count(*)
    from (select ${files.id} as id, (row_number() over (order by ${files.id}) - 1) / ${chunkSize}::int as chunk_no
          from ${files} where ${scopeCondition(scope)}) ranked
    group by chunk_no`);
  const [totals] = await queryRows<{ chunks: number; files: number }>(
    tx,
    sql`select count(*)::int as chunks, coalesce(sum(n), 0)::int as files from scoring_chunks where run_id = ${runId}::uuid`,
  );
  return totals;
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
