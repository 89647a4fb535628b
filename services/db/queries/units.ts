import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../client.js";

export interface UnitSummary {
  unit: string;
  files: number;
  openLists: number;
  /** The latest completed, non-shadow scoring run whose scope covers the unit. */
  lastRun: { id: string; finishedAt: Date | null } | null;
}

/**
 * The units (every unit some file belongs to), with their files, open lists and last scoring
 * run; only `units` when given (an inspector's).
 */
export async function listUnits(db: Db, units: string[] | null): Promise<UnitSummary[]> {
  const only = units === null ? sql`true` : sql`f.unit in (select jsonb_array_elements_text(${JSON.stringify(units)}::jsonb))`;
  const rows = await queryRows<{ unit: string; files: number; open_lists: number; run_id: string | null; finished_at: Date | string | null }>(
    db,
    sql`select u.unit, u.files,
               (select count(*)::int from control_lists l where l.unit = u.unit and l.status = 'open') as open_lists,
               r.id as run_id, r.finished_at
        from (select f.unit, count(*)::int as files from files f where ${only} group by f.unit) u
        left join lateral (
          select id, finished_at from scoring_runs
          where status = 'completed' and not shadow
            and (coalesce(jsonb_array_length(scope->'units'), 0) = 0 or scope->'units' ? u.unit)
          order by finished_at desc nulls last limit 1
        ) r on true
        order by u.unit`,
  );
  return rows.map((r) => ({
    unit: r.unit,
    files: r.files,
    openLists: r.open_lists,
    lastRun: r.run_id ? { id: r.run_id, finishedAt: r.finished_at === null ? null : new Date(r.finished_at) } : null,
  }));
}
