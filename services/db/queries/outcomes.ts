import { sql } from "drizzle-orm";
import { type BulkTx, copyText } from "../bulk.js";
import { queryRows } from "../client.js";
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

export interface OutcomeChunkResult {
  inserted: number;
  /** Rows identical to a control already stored (or earlier in the chunk): skipped, so a re-import adds nothing. */
  duplicates: number;
  /** Lines whose file_id is not in files. */
  unknownFile: OutcomeRow[];
}

const STAGING_COLUMNS =
  "line, file_id, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes";

/**
 * The per-transaction staging table of outcome chunks (dropped at commit or rollback). The checks of
 * a chunk must probe the indexes of files and outcomes: with the stale statistics of tables that grow
 * during the import, the planner hash- or merge-joined the whole of both tables for every chunk
 * (quadratic: 42 s for 1,000,000 outcomes), so this transaction does without them and without
 * sequential scans (the staging table, which has no index, is still read in full).
 */
export async function createOutcomeStaging(tx: BulkTx): Promise<void> {
  await tx.db.execute(sql`set local enable_hashjoin = off`);
  await tx.db.execute(sql`set local enable_mergejoin = off`);
  await tx.db.execute(sql`set local enable_seqscan = off`);
  await tx.db.execute(sql`create temp table if not exists outcome_staging (
      line integer not null, file_id text not null, controlled_at date not null, outcome smallint not null,
      amount double precision, selected_by text not null, selection_probability double precision,
      inspector text, notes text
    ) on commit drop`);
}

/**
 * Writes one chunk: COPY into the staging table (PGlite: INSERT … SELECT from a JSON parameter),
 * one DELETE of the lines whose file is unknown (returning them), one INSERT … SELECT of the rest. A control is the
 * same as a stored one when file, date, outcome, selection and inspector all match; it is skipped.
 * The caller rolls back when an unknown file must fail the import.
 */
export async function writeOutcomeChunk(tx: BulkTx, rows: OutcomeRow[], recordedBy: string): Promise<OutcomeChunkResult> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0, unknownFile: [] };
  await tx.db.execute(sql`truncate outcome_staging`);
  if (tx.driver === "postgres") {
    const payload = tx.payload;
    payload.reset();
    for (const r of rows) {
      payload.append(`${r.line}\t${copyText(r.fileId)}\t${r.controlledAt}\t${r.outcome}\t${copyText(r.amount)}\t${r.selectedBy}\t`);
      payload.append(`${copyText(r.selectionProbability)}\t${copyText(r.inspector)}\t${copyText(r.notes)}\n`);
    }
    await tx.copy(`copy outcome_staging (${STAGING_COLUMNS}) from stdin`, payload.bytes());
  } else {
    await tx.db.execute(sql`insert into outcome_staging (${sql.raw(STAGING_COLUMNS)})
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r(
        line integer, "fileId" text, "controlledAt" date, outcome smallint, amount double precision,
        "selectedBy" text, "selectionProbability" double precision, inspector text, notes text)`);
  }
  // Rows of unknown files leave the staging table here, so that the insert below probes files
  // once per row (its foreign key check) instead of twice.
  const unknown = await queryRows<{ line: number }>(
    tx.db,
    sql`delete from outcome_staging s where not exists (select 1 from files f where f.id = s.file_id) returning s.line`,
  );
  const [{ inserted }] = await queryRows<{ inserted: number }>(
    tx.db,
    sql`with fresh as (
          select distinct on (s.file_id, s.controlled_at, s.outcome, s.selected_by, s.inspector) s.*
          from outcome_staging s
          where not exists (
              select 1 from outcomes o
              where o.file_id = s.file_id and o.controlled_at = s.controlled_at and o.outcome = s.outcome
                and o.selected_by = s.selected_by and o.inspector is not distinct from s.inspector)
          order by s.file_id, s.controlled_at, s.outcome, s.selected_by, s.inspector, s.line
        ), ins as (
          insert into outcomes (file_id, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes, recorded_by)
          select file_id, controlled_at, outcome, amount, selected_by, selection_probability, inspector, notes, ${recordedBy}
          from fresh order by line
          returning 1
        )
        select count(*)::int as inserted from ins`,
  );
  const unknownLines = new Set(unknown.map((u) => u.line));
  const unknownFile = rows.filter((r) => unknownLines.has(r.line));
  return { inserted, duplicates: rows.length - unknownFile.length - inserted, unknownFile };
}
