import type { Readable } from "node:stream";
import { setImmediate } from "node:timers/promises";
import { CsvReader, CsvSyntaxError } from "./csv-reader.js";
import { ErrorLog, MAX_REPORTED_ERRORS } from "./errors.js";
import type { RowError } from "./validate-row.js";

/**
 * The streaming core shared by the file and outcome imports: read CSV records, check each row, and
 * hand chunks of valid rows to a writer, one chunk in flight while the next one is parsed, so that
 * parsing (this process) and writing (the database) overlap. Memory holds two chunks at most.
 */

export const IMPORT_MODES = ["all-or-nothing", "skip-invalid"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface RowValidator<R> {
  check(fields: string[], line: number, errors: RowError[]): R | null;
}

export interface CsvImportSpec<R, C = R[]> {
  mode: ImportMode;
  chunkRows: number;
  compile(header: string[]): { ok: true; validator: RowValidator<R> } | { ok: false; errors: RowError[] };
  /**
   * Called with each chunk as soon as it is complete, while the previous chunk may still be being
   * written (to queue a query behind it); its result is what `writeChunk` gets. Default: the rows.
   */
  prepare?(rows: R[]): C;
  /** Writes a chunk, once the previous one is written; returns the rows it refused (repeated file ids) as errors. */
  writeChunk(chunk: C): Promise<RowError[]>;
  /**
   * Go on handing valid rows to `writeChunk` after an all-or-nothing import has failed. For a writer
   * that only stages rows and checks them as a whole at the end (outcomes: unknown files), so that
   * a refused import lists those errors next to the bad values; the transaction still rolls back.
   */
  stageAfterFailure?: boolean;
}

export interface CsvImportOutcome {
  /** Data records read (the header and blank lines excluded). */
  rows: number;
  /** Rows refused, by their own check or by the writer. */
  rejected: number;
  errors: ErrorLog;
  /** The header could not be used, or the CSV could not be read to its end: nothing may be written. */
  fatal: boolean;
  /** All-or-nothing stopped reading after MAX_REPORTED_ERRORS errors (the rest of the body was drained). */
  truncated: boolean;
}

export async function runCsvImport<R, C = R[]>(input: Readable, spec: CsvImportSpec<R, C>): Promise<CsvImportOutcome> {
  const errors = new ErrorLog();
  const strict = spec.mode === "all-or-nothing";
  const result: CsvImportOutcome = { rows: 0, rejected: 0, errors, fatal: false, truncated: false };
  let validator: RowValidator<R> | null = null;
  const rowErrors: RowError[] = [];
  let buffer: R[] = [];
  let inFlight: Promise<void> = Promise.resolve();

  // Once an all-or-nothing import has failed, nothing more is written: the transaction rolls back.
  const failed = () => strict && !spec.stageAfterFailure && errors.total > 0;
  const write = async (chunk: C) => {
    if (failed()) return;
    const refused = await spec.writeChunk(chunk);
    result.rejected += refused.length;
    errors.addAll(refused);
  };
  const flush = async () => {
    const rows = buffer;
    buffer = [];
    if (rows.length === 0 || failed()) return;
    const chunk = spec.prepare ? spec.prepare(rows) : (rows as unknown as C);
    await inFlight;
    inFlight = write(chunk);
    inFlight.catch(() => undefined);
  };

  const reader = new CsvReader({
    record(fields, line) {
      if (result.fatal) return;
      if (validator === null) {
        const compiled = spec.compile(fields);
        if (!compiled.ok) {
          errors.addAll(compiled.errors);
          result.fatal = true;
          return;
        }
        validator = compiled.validator;
        return;
      }
      result.rows += 1;
      const row = validator.check(fields, line, rowErrors);
      if (row === null) {
        result.rejected += 1;
        errors.addAll(rowErrors);
        rowErrors.length = 0;
      } else if (!failed()) {
        buffer.push(row);
      }
    },
    error(line, message) {
      result.rows += 1;
      result.rejected += 1;
      errors.add({ line, message });
    },
  });

  let reading = true;
  try {
    for await (const chunk of input) {
      if (!reading) continue;
      try {
        reader.push(chunk as Buffer);
      } catch (error) {
        if (!(error instanceof CsvSyntaxError)) throw error;
        errors.add({ line: error.line, message: error.message.replace(/^line \d+: /, "") });
        result.fatal = true;
      }
      if (buffer.length >= spec.chunkRows) await flush();
      // Let the chunk in flight move on. An async iterator hands over buffered body chunks without
      // going back to the event loop, so the database's answers (a chunk takes several round trips)
      // would wait until the next chunk was parsed: the database then idled while rows were parsed.
      else await setImmediate();
      if (result.fatal || (strict && errors.total >= MAX_REPORTED_ERRORS)) {
        result.truncated = !result.fatal;
        reading = false;
      }
    }
    if (reading) {
      try {
        reader.end();
      } catch (error) {
        if (!(error instanceof CsvSyntaxError)) throw error;
        errors.add({ line: error.line, message: error.message.replace(/^line \d+: /, "") });
        result.fatal = true;
      }
    }
    if (validator === null && !result.fatal) {
      errors.add({ line: 1, message: "the CSV is empty: a header line is required" });
      result.fatal = true;
    }
    if (!result.fatal) await flush();
    await inFlight;
  } finally {
    if (!input.readableEnded) input.destroy();
  }
  return result;
}
