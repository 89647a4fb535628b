import { and, desc, eq, sql } from "drizzle-orm";
import { conflict } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { scoringRuns } from "../schema/index.js";

/**
 * A model's latest completed run (shadow or not), which holds its newest scores of the files it
 * covered; 409 when there is none, or when retention dropped its scores. Used by the yield estimate
 * and the overlap of two models' lists.
 */
export async function latestCompletedRun(db: Db, modelId: string): Promise<{ id: string }> {
  const [run] = await db
    .select({ id: scoringRuns.id, progress: scoringRuns.progress })
    .from(scoringRuns)
    .where(and(eq(scoringRuns.modelId, modelId), eq(scoringRuns.status, "completed")))
    .orderBy(desc(scoringRuns.finishedAt))
    .limit(1);
  if (!run) throw conflict(`model ${modelId} has no completed scoring run: score it first (a shadow run: POST /v1/scoring-runs with shadow: true)`, { modelId });
  if (run.progress?.scoresDroppedAt) throw conflict(`the scores of run ${run.id}, the latest of model ${modelId}, were dropped by retention: score it again`, { modelId });
  return { id: run.id };
}

/** One file a run's list of its unit would hold, with the file's latest known outcome. */
export interface TopPick {
  unit: string;
  fileId: string;
  outcome: number | null;
}

/**
 * The top `capacity` files of each unit by the run's score (ties by file id in code-point order,
 * as services/lists/select.ts ranks them), each with the outcome of its latest control if any.
 * The ranking is done by Postgres (a window per unit), so only the picks leave the database.
 */
export async function topPicksPerUnit(db: Db, runId: string, capacity: number): Promise<TopPick[]> {
  const rows = await queryRows<{ unit: string; file_id: string; outcome: number | null }>(
    db,
    sql`select r.unit, r.file_id, o.outcome
        from (
          select f.unit, s.file_id,
                 row_number() over (partition by f.unit order by s.score desc, s.file_id collate "C") as rank
          from scores s join files f on f.id = s.file_id
          where s.run_id = ${runId}::uuid
        ) r
        left join lateral (
          select outcome from outcomes where file_id = r.file_id order by controlled_at desc, id desc limit 1
        ) o on true
        where r.rank <= ${capacity}
        order by r.unit, r.rank`,
  );
  return rows.map((r) => ({ unit: r.unit, fileId: r.file_id, outcome: r.outcome === null ? null : Number(r.outcome) }));
}
