import { sql } from "drizzle-orm";
import { type BulkTx, copyText } from "../bulk.js";
import { type Db, queryRows, sqlState } from "../client.js";
import type { SELECTED_BY } from "../schema/index.js";

/** A validated outcome ready to write (services/ingest/validate-outcome.ts). */
export interface OutcomeRow {
  /** CSV line (or 0-based index of a JSON batch), for error reports. */
  line: number;
  fileId: string;
  controlledAt: string;
  outcome: 0 | 1;
  amount: number | null;
  selectedBy: (typeof SELECTED_BY)[number];
  selectionProbability: number | null;
  inspector: string | null;
  notes: string | null;
}

/** A staged row whose file_id is not in files. */
export interface UnknownFileRow {
  line: number;
  fileId: string;
}

const STAGING_COLUMNS =
  "line, file_id, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes";

/** Takes the rows of one write into the staging table, in parts; `close` must be called on every path. */
export interface OutcomeStager {
  add(rows: OutcomeRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the per-transaction staging table (dropped at commit or rollback) and opens it for rows.
 * A write stages all its rows first and then checks and inserts them with one statement each
 * (takeUnknownFileRows, insertStagedOutcomes): set-based, where checks per chunk had to probe the
 * indexes of files and outcomes row by row. On Postgres the rows go in through ONE COPY left open
 * for the whole write, so staging costs no round trip per chunk; PGlite inserts each part from a
 * JSON parameter.
 */
export async function openOutcomeStaging(tx: BulkTx): Promise<OutcomeStager> {
  await tx.db.execute(sql`create temp table if not exists outcome_staging (
      line integer not null, file_id text not null, controlled_at date not null, outcome smallint not null,
      amount double precision, selected_by text not null, selection_probability double precision,
      inspector text, notes text
    ) on commit drop`);
  if (tx.driver !== "postgres") {
    return {
      add: async (rows) => {
        if (rows.length === 0) return;
        await tx.db.execute(sql`insert into outcome_staging (${sql.raw(STAGING_COLUMNS)})
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(
            line integer, "fileId" text, "controlledAt" date, outcome smallint, amount double precision,
            "selectedBy" text, "selectionProbability" double precision, inspector text, notes text)`);
      },
      close: async () => undefined,
    };
  }
  const copy = await tx.openCopy(`copy outcome_staging (${STAGING_COLUMNS}) from stdin`);
  const payload = tx.payload;
  return {
    add: async (rows) => {
      payload.reset();
      for (const r of rows) {
        payload.append(`${r.line}\t${copyText(r.fileId)}\t${r.controlledAt}\t${r.outcome}\t${copyText(r.amount)}\t${r.selectedBy}\t`);
        payload.append(`${copyText(r.selectionProbability)}\t${copyText(r.inspector)}\t${copyText(r.notes)}\n`);
      }
      await copy.write(payload.bytes());
    },
    close: () => copy.end(),
  };
}

/**
 * Run once the rows are staged: the staging table has no statistics otherwise, and with them the
 * planner picks hash or merge anti-joins for a large import and index probes for a small batch.
 */
export async function analyzeOutcomeStaging(tx: BulkTx): Promise<void> {
  await tx.db.execute(sql`analyze outcome_staging`);
}

/**
 * Removes the staged rows whose file is unknown; returns how many and the first `limit` of them by
 * line (an import of a wrong file could have a million).
 */
export async function takeUnknownFileRows(tx: BulkTx, limit: number): Promise<{ total: number; first: UnknownFileRow[] }> {
  const rows = await queryRows<UnknownFileRow & { total: number }>(
    tx.db,
    sql`with gone as (
          delete from outcome_staging s where not exists (select 1 from files f where f.id = s.file_id)
          returning s.line, s.file_id
        )
        select line, file_id as "fileId", (count(*) over ())::int as total from gone order by line limit ${limit}`,
  );
  return { total: rows[0]?.total ?? 0, first: rows.map(({ line, fileId }) => ({ line, fileId })) };
}

/**
 * Inserts the staged rows (in line order) except those identical to a stored control (file,
 * date, outcome, selection and inspector all match) or to an earlier staged line; returns how many
 * were inserted. The file reference is checked once for the statement (trigger, migration 0008).
 */
export async function insertStagedOutcomes(tx: BulkTx, recordedBy: string): Promise<number> {
  return insertStaged(tx.db, recordedBy);
}

/**
 * insertStagedOutcomes when every staged file is known, else null with nothing inserted: the insert
 * runs under a savepoint, and when the file-reference trigger (migration 0008) refuses it (23503)
 * the savepoint is rolled back, so the caller can take out the unknown files with their lines
 * (takeUnknownFileRows). An import whose files are all known, the usual case, so skips that
 * separate anti-join over all its rows (~1 s per 1,000,000 outcomes).
 */
export async function insertStagedOutcomesIfFilesKnown(tx: BulkTx, recordedBy: string): Promise<number | null> {
  try {
    return await tx.db.transaction((savepoint) => insertStaged(savepoint, recordedBy));
  } catch (error) {
    if (sqlState(error) === FOREIGN_KEY_VIOLATION) return null;
    throw error;
  }
}

const FOREIGN_KEY_VIOLATION = "23503";

async function insertStaged(db: Db, recordedBy: string): Promise<number> {
  const [{ inserted }] = await queryRows<{ inserted: number }>(
    db,
    sql`with fresh as (
          select distinct on (s.file_id, s.controlled_at, s.outcome, s.selected_by, s.inspector) s.*
          from outcome_staging s
          where not exists (
              select 1 from outcomes o
              where o.file_id = s.file_id and o.controlled_at = s.controlled_at and o.outcome = s.outcome
                and o.selected_by = s.selected_by and o.inspector is not distinct from s.inspector)
          order by s.file_id, s.controlled_at, s.outcome, s.selected_by, s.inspector, s.line
        ), ins as (
          insert into outcomes (file_id, unit, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes, recorded_by)
          -- A left join, so an unknown file still reaches the file-reference trigger (23503).
          select fresh.file_id, f.unit, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes, ${recordedBy}
          from fresh left join files f on f.id = fresh.file_id
          returning 1
        )
        select count(*)::int as inserted from ins`,
  );
  return inserted;
}
