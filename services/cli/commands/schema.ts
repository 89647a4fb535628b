import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { csvFieldErrors } from "../../ingest/errors.js";
import { INFER_SAMPLE_ROWS, inferSchema, readCsvSample } from "../../ingest/infer-schema.js";
import { printJson } from "../context.js";
import { apiOptions, callApi } from "./api-client.js";

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a positive integer");
  return n;
};

/**
 * `schema infer FILE.csv` proposes a feature schema locally (the same code as POST /v1/schema/infer,
 * no server needed); `schema put FILE.json` and `schema get` go through the HTTP API.
 */
export function register(program: Command) {
  const schema = program.command("schema").description("the feature schema");

  schema
    .command("infer <file>")
    .description("propose a schema from a files CSV sample (printed as JSON, to review and put)")
    .option("--rows <n>", "rows of the sample to read", positive, INFER_SAMPLE_ROWS)
    .option("--schema-only", "print only the schema (ready for `schema put`), not the column statistics")
    .action(async (file: string, opts: { rows: number; schemaOnly?: boolean }) => {
      const input = file.endsWith(".gz") ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
      const { header, rows } = await readCsvSample(input, opts.rows);
      if (!header) throw new Error(`${file} is empty`);
      const result = inferSchema(header, rows);
      if (!result.ok) {
        printJson({ errors: csvFieldErrors(result.errors) });
        process.exitCode = 1;
        return;
      }
      printJson(opts.schemaOnly ? result.proposal.schema : result.proposal);
    });

  const put = schema
    .command("put <file>")
    .description("declare the schema from a JSON file (a new version unless unchanged)");
  for (const [flags, description] of apiOptions()) put.option(flags, description);
  put.action(async (file: string, opts: { url?: string; key?: string }) => {
    const result = await callApi(opts, "PUT", "/v1/schema", { json: JSON.parse(await readFile(file, "utf8")) });
    if (result) printJson(result);
  });

  const get = schema.command("get").description("print the current schema (or --version N)").option("--version <n>", "a past version", positive);
  for (const [flags, description] of apiOptions()) get.option(flags, description);
  get.action(async (opts: { url?: string; key?: string; version?: number }) => {
    const result = await callApi(opts, "GET", `/v1/schema${opts.version ? `?version=${opts.version}` : ""}`);
    if (result) printJson(result);
  });
}
