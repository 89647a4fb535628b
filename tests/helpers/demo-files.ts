import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type DemoRow, demoPopulation } from "../../data/demo/generate.js";
import type { Database } from "../../services/db/client.js";

/** COPY text escaping of one field (backslash, tab, newline, carriage return). */
const copyField = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

/**
 * Loads demo files straight into `files` (test and benchmark setup, not the ingest path): COPY on
 * Postgres, streamed in blocks so a million rows stay in bounded memory; batched JSON inserts on
 * PGlite. `map` may change a row first (e.g. to plant a signal).
 */
export async function insertDemoFiles(
  database: Database,
  opts: { files: number; seed?: number; map?: (row: DemoRow) => DemoRow },
): Promise<DemoRow[] | null> {
  const seed = opts.seed ?? 1;
  const rows = () => {
    const gen = demoPopulation({ files: opts.files, seed });
    return opts.map ? (function* () { for (const r of gen) yield opts.map!(r); })() : gen;
  };
  if (database.driver === "postgres") {
    const stream = await database.sql`copy files (id, unit, attributes) from stdin`.writable();
    async function* blocks() {
      let block = "";
      for (const r of rows()) {
        block += `${copyField(r.file.id)}\t${copyField(r.file.unit)}\t${copyField(JSON.stringify(r.file.attributes))}\n`;
        if (block.length > 1 << 20) {
          yield block;
          block = "";
        }
      }
      if (block) yield block;
    }
    await pipeline(Readable.from(blocks()), stream);
    return null;
  }
  const all = [...rows()];
  for (let i = 0; i < all.length; i += 1000) {
    const batch = all.slice(i, i + 1000).map((r) => r.file);
    await database.pglite.query(
      "insert into files (id, unit, attributes) select id, unit, attributes from jsonb_to_recordset($1::jsonb) as t(id text, unit text, attributes jsonb)",
      [JSON.stringify(batch)],
    );
  }
  return all;
}
