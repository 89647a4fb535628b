import type { Readable } from "node:stream";
import { type BulkTx, withBulkTransaction } from "../db/bulk.js";
import type { Database } from "../db/client.js";
import { appendAuditEvent } from "../db/queries/audit-events.js";
import {
  analyzeOutcomeStaging,
  insertStagedOutcomes,
  insertStagedOutcomesIfFilesKnown,
  type OutcomeRow,
  openOutcomeStaging,
  takeUnknownFileRows,
  type UnknownFileRow,
} from "../db/queries/outcomes.js";
import { DomainError, type FieldError } from "../errors.js";
import { type CsvImportOutcome, type ImportMode, runCsvImport } from "./csv-import.js";
import { csvFieldErrors, ErrorLog, jsonFieldErrors, MAX_REPORTED_ERRORS } from "./errors.js";
import type { IngestActor } from "./import-files.js";
import { checkOutcomeJson, compileOutcomeCsv, type OutcomeInput } from "./validate-outcome.js";
import type { RowError } from "./validate-row.js";
import { latestToday } from "./values.js";

/**
 * Rows per chunk handed to the staging COPY (which stays open for the whole import, so a chunk costs
 * no round trip, only a socket write). Small on purpose: rows waiting in a chunk outlive
 * young-generation collections and get promoted; with 10,000 or 20,000 rows the old space grew by
 * ~180 MB per 1,000,000 outcomes (--trace-gc) and the server's peak RSS passed 400 MB, and 4,000
 * still did so in some runs (455 and 490 MB); with 1,000 the rows die young and the import's wall
 * time is the same.
 */
export const OUTCOME_CHUNK_ROWS = 1_000;

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
    const stager = await openOutcomeStaging(tx);
    let staged = 0;
    let outcome: CsvImportOutcome;
    try {
      outcome = await runCsvImport<OutcomeRow>(input, {
        mode: opts.mode,
        chunkRows: OUTCOME_CHUNK_ROWS,
        stageAfterFailure: true,
        compile: (header) => compileOutcomeCsv(header, today),
        writeChunk: async (rows) => {
          await stager.add(rows);
          staged += rows.length;
          return [];
        },
      });
    } finally {
      await stager.close();
    }
    const strict = opts.mode === "all-or-nothing";
    let inserted = 0;
    if (!outcome.fatal) {
      const written = await insertKnownFileOutcomes(tx, opts.actor.id, outcome.errors, "file_id", strict);
      inserted = written.inserted;
      outcome.rejected += written.unknownFiles;
      staged -= written.unknownFiles;
    }
    const errors = csvFieldErrors(outcome.errors.sorted());
    if (outcome.fatal || (strict && outcome.errors.total > 0)) {
      throw new DomainError("invalid", refusal(outcome.errors.total), errors, {
        rowsRead: outcome.rows,
        rejected: outcome.rejected,
      });
    }
    const result: OutcomesImportResult = {
      mode: opts.mode,
      rows: outcome.rows,
      inserted,
      duplicates: staged - inserted,
      rejected: outcome.rejected,
      errors,
    };
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
    const stager = await openOutcomeStaging(tx);
    try {
      await stager.add(rows);
    } finally {
      await stager.close();
    }
    const { inserted } = await insertKnownFileOutcomes(tx, opts.actor.id, log, "fileId", true);
    if (log.total > 0) throw fail();
    const result: OutcomesWriteResult = { rows: items.length, inserted, duplicates: rows.length - inserted, rejected: 0 };
    await appendAuditEvent(tx.db, { actor: opts.actor, action: "outcomes.create", details: summary(result), requestId: opts.requestId });
    return result;
  });
}

/**
 * Inserts the staged outcomes of known files and reports the others as errors by line. The insert
 * is tried first (the file-reference trigger refuses it if any file is unknown); only then are the
 * rows of unknown files looked for and taken out. When `strict` and `errors` holds any, nothing is
 * inserted (the caller refuses the write) but unknown files are still reported.
 */
async function insertKnownFileOutcomes(
  tx: BulkTx,
  recordedBy: string,
  errors: ErrorLog,
  fileColumn: string,
  strict: boolean,
): Promise<{ inserted: number; unknownFiles: number }> {
  await analyzeOutcomeStaging(tx);
  if (!(strict && errors.total > 0)) {
    const inserted = await insertStagedOutcomesIfFilesKnown(tx, recordedBy);
    if (inserted !== null) return { inserted, unknownFiles: 0 };
  }
  const unknown = await takeUnknownFileRows(tx, MAX_REPORTED_ERRORS);
  errors.addFirstOf(unknownFileErrors(unknown.first, fileColumn), unknown.total);
  if (strict && errors.total > 0) return { inserted: 0, unknownFiles: unknown.total };
  return { inserted: await insertStagedOutcomes(tx, recordedBy), unknownFiles: unknown.total };
}

const unknownFileErrors = (rows: UnknownFileRow[], fileColumn: string): RowError[] =>
  rows.map((r) => ({ line: r.line, column: fileColumn, message: `unknown file id "${r.fileId}"` }));

const refusal = (errors: number) =>
  `the import was refused and nothing was written: ${errors} error${errors === 1 ? "" : "s"}; the first ones are listed in errors[]`;

const summary = (r: OutcomesWriteResult) => ({
  rows: r.rows,
  inserted: r.inserted,
  duplicates: r.duplicates,
  rejected: r.rejected,
});
