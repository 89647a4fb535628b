import type { Readable } from "node:stream";
import type { Actor } from "../auth/actor.js";
import { withBulkTransaction } from "../db/bulk.js";
import type { Database } from "../db/client.js";
import { appendAuditEvent } from "../db/queries/audit-events.js";
import { getCurrentSchema } from "../db/queries/feature-schemas.js";
import { FileChunkWriter, type FileRow, lockFilesForBulkWrite, type PreparedFileChunk } from "../db/queries/file-writes.js";
import { vacuumAnalyzeFiles } from "../db/queries/table-maintenance.js";
import { conflict, DomainError, type FieldError } from "../errors.js";
import { type ImportMode, runCsvImport } from "./csv-import.js";
import { csvFieldErrors, ErrorLog, jsonFieldErrors } from "./errors.js";
import { checkFileJson, compileFileCsv, type FileInput, type RowError } from "./validate-row.js";

/**
 * Rows per chunk: one existence probe (queued behind the previous chunk's COPY), one COPY and at
 * most one UPDATE each. 10,000 files of 25 attributes are about 7 MB of COPY text (or of the JSON
 * parameter on PGlite); larger chunks gained nothing measurable on the 1,000,000-file benchmark.
 */
export const FILE_CHUNK_ROWS = 10_000;

/**
 * From this many files written (IMPORT_SETTLE_ROWS), an import vacuums and analyzes the files table
 * before it answers, so that a scoring run requested right after meets a settled table
 * (vacuumAnalyzeFiles). Smaller imports leave it to autovacuum.
 */
export const SETTLE_AFTER_ROWS = 50_000;

/** Files per POST /v1/files request (documented in the route). */
export const FILES_BATCH_LIMIT = 5_000;

export interface IngestActor {
  actor: Actor;
  requestId?: string;
}

export interface FilesWriteResult {
  rows: number;
  inserted: number;
  updated: number;
  /** Known ids sent again exactly as stored: nothing written for them. */
  unchanged: number;
  rejected: number;
  schemaVersion: number;
}

export interface FilesImportResult extends FilesWriteResult {
  mode: ImportMode;
  /** The first 100 refused rows' errors (skip-invalid only; all-or-nothing throws them). */
  errors: FieldError[];
}

const noSchema = () => conflict("there is no feature schema yet: PUT /v1/schema first (POST /v1/schema/infer proposes one)");

/**
 * Streams a files CSV into the files table in one transaction (DESIGN.md; issue "Files"). Upsert by
 * id: a known id gets the new unit and attributes and a new updated_at. All-or-nothing mode throws a
 * 422 DomainError listing the first 100 errors and writes nothing; skip-invalid writes the good rows.
 * `details` (e.g. bytes, gzip) goes into the files.import audit event next to the counts.
 */
export async function importFilesCsv(
  database: Database,
  input: Readable,
  opts: IngestActor & {
    mode: ImportMode;
    details?: () => Record<string, unknown>;
    /** Rows written from which the import settles the table (default SETTLE_AFTER_ROWS; 0: never). */
    settleAfterRows?: number;
    /** Told when the VACUUM after a large import failed: the import itself is committed and stands. */
    onSettleError?: (error: Error) => void;
  },
): Promise<FilesImportResult> {
  const schema = await getCurrentSchema(database.db);
  if (!schema) {
    input.destroy();
    throw noSchema();
  }
  const imported = await withBulkTransaction(database, async (tx) => {
    await lockFilesForBulkWrite(tx, `files import by ${opts.actor.name}`);
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    const writer = new FileChunkWriter(tx);
    const outcome = await runCsvImport<FileRow, PreparedFileChunk>(input, {
      mode: opts.mode,
      chunkRows: FILE_CHUNK_ROWS,
      compile: (header) => compileFileCsv(schema.definition, header),
      prepare: (rows) => writer.prepare(rows),
      writeChunk: (chunk) => writeDistinctFiles(writer, chunk, counts, "line"),
    });
    const errors = csvFieldErrors(outcome.errors.sorted());
    if (outcome.fatal || (opts.mode === "all-or-nothing" && outcome.errors.total > 0)) {
      throw new DomainError("invalid", refusal(outcome.errors.total, outcome.truncated), errors, {
        rowsRead: outcome.rows,
        rejected: outcome.rejected,
      });
    }
    const result: FilesImportResult = {
      mode: opts.mode,
      rows: outcome.rows,
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.unchanged,
      rejected: outcome.rejected,
      schemaVersion: schema.version,
      errors,
    };
    await appendAuditEvent(tx.db, {
      actor: opts.actor,
      action: "files.import",
      details: { ...opts.details?.(), ...summary(result), mode: opts.mode },
      requestId: opts.requestId,
    });
    return result;
  });
  const settleAfter = opts.settleAfterRows ?? SETTLE_AFTER_ROWS;
  if (settleAfter > 0 && imported.inserted + imported.updated >= settleAfter) {
    await vacuumAnalyzeFiles(database).catch((error: Error) => opts.onSettleError?.(error));
  }
  return imported;
}

/**
 * The JSON batch upsert (POST /v1/files): every file is checked first, then all are written in one
 * transaction, or none (422 listing the errors by `files.<index>…`).
 */
export async function upsertFiles(database: Database, items: FileInput[], opts: IngestActor): Promise<FilesWriteResult> {
  const schema = await getCurrentSchema(database.db);
  if (!schema) throw noSchema();
  const log = new ErrorLog();
  const rows: FileRow[] = [];
  const rowErrors: RowError[] = [];
  items.forEach((item, index) => {
    const row = checkFileJson(schema.definition, item, index, rowErrors);
    if (row) rows.push(row);
  });
  log.addAll(rowErrors);
  const fail = (l: ErrorLog) =>
    new DomainError("invalid", refusal(l.total, false), jsonFieldErrors("files", l.sorted(), (c) => (TOP_LEVEL.has(c) ? c : `attributes.${c}`)));
  if (log.total > 0) throw fail(log);
  return withBulkTransaction(database, async (tx) => {
    await lockFilesForBulkWrite(tx, `files upsert by ${opts.actor.name}`);
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    const writer = new FileChunkWriter(tx);
    log.addAll(await writeDistinctFiles(writer, writer.prepare(rows), counts, "index"));
    if (log.total > 0) throw fail(log);
    const result: FilesWriteResult = { rows: items.length, ...counts, rejected: 0, schemaVersion: schema.version };
    await appendAuditEvent(tx.db, { actor: opts.actor, action: "files.upsert", details: summary(result), requestId: opts.requestId });
    return result;
  });
}

const TOP_LEVEL = new Set(["id", "unit"]);

/** Refuses ids repeated within the chunk, writes the rest; returns the refused rows as errors. */
async function writeDistinctFiles(
  writer: FileChunkWriter,
  chunk: PreparedFileChunk,
  counts: { inserted: number; updated: number; unchanged: number },
  position: "line" | "index",
): Promise<RowError[]> {
  const firstLine = new Map<string, number>();
  const distinct: FileRow[] = [];
  const refused: RowError[] = [];
  for (const row of chunk.rows) {
    const first = firstLine.get(row.id);
    if (first === undefined) {
      firstLine.set(row.id, row.line);
      distinct.push(row);
    } else {
      refused.push({ line: row.line, column: "id", message: `id "${row.id}" is repeated (first at ${position} ${first})` });
    }
  }
  const written = await writer.write(chunk, distinct);
  counts.inserted += written.inserted;
  counts.updated += written.updated;
  counts.unchanged += written.unchanged;
  for (const row of written.repeated) {
    refused.push({ line: row.line, column: "id", message: `id "${row.id}" is repeated (it came earlier in this import)` });
  }
  return refused;
}

const refusal = (errors: number, truncated: boolean) =>
  `the import was refused and nothing was written: ${errors} error${errors === 1 ? "" : "s"}${
    truncated ? " (reading stopped at the first 100)" : ""
  }; the first ones are listed in errors[]`;

const summary = (r: FilesWriteResult) => ({
  rows: r.rows,
  inserted: r.inserted,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
  schemaVersion: r.schemaVersion,
});
