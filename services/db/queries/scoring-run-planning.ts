import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict, invalid, notFound } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { files, models, scoringRuns } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

/*
 * Creating a scoring run: its scope, its model, its scores partition and the plan of its chunks.
 * What happens to the run afterwards is in scoring-runs.ts (reads and the worker's moves) and
 * scoring-run-actions.ts (cancel, resume, drop its scores).
 */

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

