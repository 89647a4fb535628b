import { sql } from "drizzle-orm";
import type { Database } from "../client.js";

/**
 * VACUUM (ANALYZE) of the files table, outside any transaction (VACUUM cannot run in one). After a
 * large import: the table's statistics and visibility map are what a scoring run plans and reads
 * with, and without this the run met a table with no statistics (reltuples -1: the exact chunk plan,
 * 1.5 to 4.6 s inside POST /v1/scoring-runs at 1,000,000 files), pages whose hint bits its own reads
 * had to set, and, where autovacuum is on, autovacuum's insert-triggered pass over the same files
 * starting during the run (docs/benchmarks/2026-12-04-scoring-users-path.md).
 */
export async function vacuumAnalyzeFiles(database: Database): Promise<void> {
  await database.db.execute(sql`vacuum (analyze) files`);
}
