import { userInfo } from "node:os";
import { resolve } from "node:path";
import type { Actor } from "../auth/actor.js";
import { type Config, loadConfig } from "../config.js";
import { type Database, migrateDatabase, openDatabase } from "../db/client.js";
import { lockPgliteDir } from "../runtime/pglite-lock.js";

/** The CLI acts on the server it runs on as this admin actor, named after the OS user. */
export const cliActor = (): Actor => ({
  keyId: null,
  id: `cli:${userInfo().username}`,
  name: userInfo().username,
  role: "admin",
  units: [],
});

/**
 * Runs `fn` on the service's database (DATABASE_URL, else the embedded var/db, which must not be
 * open in a running service), migrated, and closes it afterwards.
 */
export async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const pgliteDir = resolve(config.DATA_DIR, "db");
  const release = config.DATABASE_URL ? () => {} : lockPgliteDir(pgliteDir);
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir, maxConnections: 2 });
  try {
    await migrateDatabase(database, config.DATABASE_MIGRATION_URL);
    return await fn(database, config);
  } finally {
    await database.close();
    release();
  }
}

/** Prints a value as indented JSON (the CLI's machine-readable output). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
