import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { stringify, type Stringifier } from "csv-stringify";
import { demoPopulation, type DemoOptions } from "./generate.js";
import { demoSchema } from "./schema.js";

/** Columns of outcomes.csv, as the outcomes importer reads them. */
export const OUTCOME_COLUMNS = [
  "file_id",
  "controlled_at",
  "outcome",
  "amount",
  "selected_by",
  "selection_probability",
  "inspector",
] as const;

/** Columns of truth.csv: the hidden probability of each file. Never imported; for tests and benchmarks. */
export const TRUTH_COLUMNS = ["id", "p"] as const;

/** Columns of files.csv: id, unit, then the attributes in schema order. */
export const fileColumns = (): string[] => ["id", "unit", ...demoSchema().attributes.map((a) => a.name)];

export interface WriteDemoOptions extends DemoOptions {
  /** Called after every `progressEvery` files (default 10,000) and once at the end. */
  onProgress?: (filesWritten: number) => void;
  progressEvery?: number;
}

export interface WriteDemoResult {
  files: number;
  outcomes: number;
  paths: { files: string; outcomes: string; truth: string; schema: string };
}

interface CsvSink {
  csv: Stringifier;
  done: Promise<void>;
}

/**
 * A csv-stringify stream piped to a file. Missing values (null) become empty cells and booleans
 * `true`/`false` (csv-stringify's default would write "1" and ""). https://csv.js.org/stringify/options/cast/
 */
const csvSink = (path: string, columns: readonly string[]): CsvSink => {
  const csv = stringify({ header: true, columns: [...columns], cast: { boolean: (v) => (v ? "true" : "false") } });
  const done = pipeline(csv, createWriteStream(path));
  // Awaited below; this handler only keeps an early failure from being reported as unhandled meanwhile.
  done.catch(() => undefined);
  return { csv, done };
};

/** Writes one record, waiting for 'drain' when the stream's buffer is full (backpressure). */
const put = async (sink: CsvSink, record: unknown[]): Promise<void> => {
  if (!sink.csv.write(record)) await once(sink.csv, "drain");
};

/**
 * Writes the demo population to `dir` as files.csv, outcomes.csv, truth.csv and schema.json, streaming
 * row by row, so that memory stays bounded for any number of files. Creates `dir` if needed.
 */
export const writeDemoPopulation = async (dir: string, opts: WriteDemoOptions): Promise<WriteDemoResult> => {
  await mkdir(dir, { recursive: true });
  const paths = {
    files: join(dir, "files.csv"),
    outcomes: join(dir, "outcomes.csv"),
    truth: join(dir, "truth.csv"),
    schema: join(dir, "schema.json"),
  };
  const schema = demoSchema();
  await writeFile(paths.schema, `${JSON.stringify(schema, null, 2)}\n`);

  const names = schema.attributes.map((a) => a.name);
  const sinks = {
    files: csvSink(paths.files, ["id", "unit", ...names]),
    outcomes: csvSink(paths.outcomes, OUTCOME_COLUMNS),
    truth: csvSink(paths.truth, TRUTH_COLUMNS),
  };
  const every = opts.progressEvery ?? 10_000;
  let files = 0;
  let outcomes = 0;
  try {
    for (const row of demoPopulation(opts)) {
      const { id, unit, attributes } = row.file;
      await put(sinks.files, [id, unit, ...names.map((n) => attributes[n])]);
      await put(sinks.truth, [id, row.truth]);
      for (const o of row.outcomes) {
        await put(sinks.outcomes, [id, o.controlledAt, o.outcome, o.amount, o.selectedBy, o.selectionProbability, o.inspector]);
      }
      files += 1;
      outcomes += row.outcomes.length;
      if (opts.onProgress && files % every === 0) opts.onProgress(files);
    }
  } catch (err) {
    for (const s of Object.values(sinks)) s.csv.destroy(err as Error);
    throw err;
  }
  for (const s of Object.values(sinks)) s.csv.end();
  await Promise.all(Object.values(sinks).map((s) => s.done));
  opts.onProgress?.(files);
  return { files, outcomes, paths };
};
