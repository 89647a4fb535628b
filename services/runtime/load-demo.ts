import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { demoPopulation } from "../../data/demo/generate.js";
import { demoSchema } from "../../data/demo/schema.js";
import { fileColumns, OUTCOME_COLUMNS } from "../../data/demo/write-csv.js";
import { SYSTEM_ACTOR } from "../auth/actor.js";
import type { Database } from "../db/client.js";
import { putSchema } from "../db/queries/feature-schemas.js";
import { countFiles } from "../db/queries/files.js";
import { importFilesCsv } from "../ingest/import-files.js";
import { importOutcomesCsv } from "../ingest/import-outcomes.js";
import type { Logger } from "../logger.js";

/**
 * First start with an empty files table: PUTs the demo schema and imports the seeded demo population
 * (data/demo) through the same CSV import code as POST /v1/files/import and /v1/outcomes/import,
 * as the system actor, so the demo also exercises the ingest path and leaves the same audit events.
 * The rows are generated twice (files, then outcomes) rather than held: memory stays bounded.
 */
export async function loadDemoIfEmpty(
  database: Database,
  opts: { files: number; seed: number; logger: Logger },
): Promise<{ loaded: boolean; files: number; outcomes: number }> {
  if (opts.files <= 0 || (await countFiles(database.db)) > 0) return { loaded: false, files: 0, outcomes: 0 };
  const started = Date.now();
  const actor = SYSTEM_ACTOR;
  await putSchema(database.db, demoSchema(), actor);
  const population = () => demoPopulation({ files: opts.files, seed: opts.seed });
  const names = demoSchema().attributes.map((a) => a.name);

  const files = await importFilesCsv(
    database,
    csvStream(fileColumns(), function* () {
      for (const { file } of population()) yield [file.id, file.unit, ...names.map((n) => file.attributes[n])];
    }),
    {
      mode: "all-or-nothing",
      actor,
      details: () => ({ source: "demo", seed: opts.seed }),
      onSettleError: (err) => opts.logger.warn({ err: err.message }, "vacuum (analyze) files after the demo import failed"),
    },
  );
  const outcomes = await importOutcomesCsv(
    database,
    csvStream(OUTCOME_COLUMNS, function* () {
      for (const row of population()) {
        for (const o of row.outcomes) {
          yield [row.file.id, o.controlledAt, o.outcome, o.amount, o.selectedBy, o.selectionProbability, o.inspector];
        }
      }
    }),
    { mode: "all-or-nothing", actor, details: () => ({ source: "demo", seed: opts.seed }) },
  );
  opts.logger.info(
    { files: files.inserted, outcomes: outcomes.inserted, seed: opts.seed, ms: Date.now() - started },
    "empty database: loaded the demo schema, files and outcomes (DEMO_FILES=0 turns this off)",
  );
  return { loaded: true, files: files.inserted, outcomes: outcomes.inserted };
}

/** Records as CSV text, booleans as true/false and nulls as empty cells, like data/demo/write-csv.ts. */
function csvStream(columns: readonly string[], records: () => Generator<unknown[]>): Readable {
  return Readable.from(records()).pipe(
    stringify({ header: true, columns: [...columns], cast: { boolean: (v) => (v ? "true" : "false") } }),
  );
}
