import type { Writable } from "node:stream";
import type { Database } from "../../../services/db/client.js";

/** The floor: COPY the run's rows, as text, into a plain table; only the COPY is timed. */
export async function copyFloor(database: Database, runId: string): Promise<number> {
  if (database.driver !== "postgres") throw new Error("postgres only");
  const sql = database.sql;
  const cols = "run_id, file_id, model_id, model_sha256, score, reasons, input_digest";
  const parts: Buffer[] = [];
  const out = await sql.unsafe(`copy (select ${cols} from scores where run_id = '${runId}') to stdout`).readable();
  await new Promise<void>((resolve, reject) => {
    out.on("data", (p: Buffer) => parts.push(p));
    out.on("end", resolve);
    out.on("error", reject);
  });
  await sql.unsafe("create table floor_scores (like scores including defaults)");
  // From a settled WAL, as the run itself starts (freshDatabase).
  await sql.unsafe("checkpoint");
  const started = performance.now();
  const input = (await sql.unsafe(`copy floor_scores (${cols}) from stdin`).writable()) as Writable;
  await new Promise<void>((resolve, reject) => {
    input.on("finish", resolve);
    input.on("error", reject);
    for (const p of parts) input.write(p);
    input.end();
  });
  await sql.unsafe("select 1");
  const seconds = (performance.now() - started) / 1000;
  await sql.unsafe("drop table floor_scores");
  return seconds;
}

