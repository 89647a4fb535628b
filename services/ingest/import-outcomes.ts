import type { Readable } from "node:stream";
import { type BulkTx, withBulkTransaction } from "../db/bulk.js";
import type { Database } from "../db/client.js";
import { appendAuditEvent } from "../db/queries/audit-events.js";
import { createOutcomeStaging, type OutcomeRow, writeOutcomeChunk } from "../db/queries/outcomes.js";
import { DomainError, type FieldError } from "../errors.js";
import { type ImportMode, runCsvImport } from "./csv-import.js";
import { csvFieldErrors, ErrorLog, jsonFieldErrors } from "./errors.js";
import type { IngestActor } from "./import-files.js";
import { checkOutcomeJson, compileOutcomeCsv, type OutcomeInput } from "./validate-outcome.js";
import type { RowError } from "./validate-row.js";
import { latestToday } from "./values.js";

/** Rows per chunk: an outcome row is small (about 80 bytes of COPY text), so chunks can be larger. */
export const OUTCOME_CHUNK_ROWS = 20_000;

/** Outcomes per POST /v1/outcomes request (documented in the route). */
export const OUTCOMES_BATCH_LIMIT = 5_000;

export interface OutcomesWriteResult {
  rows: number;
  inserted: number;
  /** Rows identical to a control already stored: skipped, so importing a file twice adds nothing. */
  duplicates: number;
  rejected: number;
}

export interface OutcomesImportResult extends OutcomesWriteResult {
  mode: ImportMode;
  errors: FieldError[];
}

/**
 * Streams an outcomes CSV (past controls) into outcomes in one transaction. Unknown file ids are
 * errors with their line, like bad values; all-or-nothing throws a 422 and writes nothing.
 */
export async function importOutcomesCsv(
  database: Database,
  input: Readable,
  opts: IngestActor & { mode: ImportMode; details?: () => Record<string, unknown>; now?: Date },
): Promise<OutcomesImportResult> {
  const today = latestToday(opts.now);
  return withBulkTransaction(database, async (tx) => {
    await createOutcomeStaging(tx);
    const counts = { inserted: 0, duplicates: 0 };
    const outcome = await runCsvImport<OutcomeRow>(input, {
      mode: opts.mode,
      chunkRows: OUTCOME_CHUNK_ROWS,
      compile: (header) => compileOutcomeCsv(header, today),
      writeChunk: (rows) => writeOutcomes(tx, rows, counts, opts.actor.id, "file_id"),
    });
    const errors = csvFieldErrors(outcome.errors.sorted());
    if (outcome.fatal || (opts.mode === "all-or-nothing" && outcome.errors.total > 0)) {
      throw new DomainError("invalid", refusal(outcome.errors.total), errors, {
        rowsRead: outcome.rows,
        rejected: outcome.rejected,
      });
    }
    const result: OutcomesImportResult = { mode: opts.mode, rows: outcome.rows, ...counts, rejected: outcome.rejected, errors };
    await appendAuditEvent(tx.db, {
      actor: opts.actor,
      action: "outcomes.import",
      details: { ...opts.details?.(), ...summary(result), mode: opts.mode },
      requestId: opts.requestId,
    });
    return result;
  });
}

/** POST /v1/outcomes: every outcome is checked, then all are written in one transaction, or none. */
export async function createOutcomes(
  database: Database,
  items: OutcomeInput[],
  opts: IngestActor & { now?: Date },
): Promise<OutcomesWriteResult> {
  const today = latestToday(opts.now);
  const log = new ErrorLog();
  const rowErrors: RowError[] = [];
  const rows: OutcomeRow[] = [];
  items.forEach((item, index) => {
    const row = checkOutcomeJson(item, index, today, rowErrors);
    if (row) rows.push(row);
  });
  log.addAll(rowErrors);
  const fail = () => new DomainError("invalid", refusal(log.total), jsonFieldErrors("outcomes", log.sorted()));
  if (log.total > 0) throw fail();
  return withBulkTransaction(database, async (tx) => {
    await createOutcomeStaging(tx);
    const counts = { inserted: 0, duplicates: 0 };
    log.addAll(await writeOutcomes(tx, rows, counts, opts.actor.id, "fileId"));
    if (log.total > 0) throw fail();
    const result: OutcomesWriteResult = { rows: items.length, ...counts, rejected: 0 };
    await appendAuditEvent(tx.db, { actor: opts.actor, action: "outcomes.create", details: summary(result), requestId: opts.requestId });
    return result;
  });
}

async function writeOutcomes(
  tx: BulkTx,
  rows: OutcomeRow[],
  counts: { inserted: number; duplicates: number },
  recordedBy: string,
  fileColumn: string,
): Promise<RowError[]> {
  const written = await writeOutcomeChunk(tx, rows, recordedBy);
  counts.inserted += written.inserted;
  counts.duplicates += written.duplicates;
  return written.unknownFile.map((r) => ({ line: r.line, column: fileColumn, message: `unknown file id "${r.fileId}"` }));
}

const refusal = (errors: number) =>
  `the import was refused and nothing was written: ${errors} error${errors === 1 ? "" : "s"}; the first ones are listed in errors[]`;

const summary = (r: OutcomesWriteResult) => ({
  rows: r.rows,
  inserted: r.inserted,
  duplicates: r.duplicates,
  rejected: r.rejected,
});
