import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, migrateDatabase, openDatabase } from "../../services/db/client.js";

export interface TestDatabase {
  database: Database;
  url: string | null;
  /** A superuser connection to the same database, for what the app may not do (disabling triggers). */
  superuser(): postgres.Sql;
  drop(): Promise<void>;
}

/** A fresh Postgres database cloned from the migrated template of this run. */
export async function createPostgresTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `cts_t_${inject("runId")}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject("pgTemplate")}`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const database = await openDatabase({ url });
  const supers: postgres.Sql[] = [];
  return {
    database,
    url,
    superuser: () => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      supers.push(sql);
      return sql;
    },
    drop: async () => {
      await database.close();
      await Promise.all(supers.map((s) => s.end()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A fresh in-memory PGlite database, migrated. */
export async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const database = await openDatabase({ pgliteDir: "memory://" });
  await migrateDatabase(database);
  return {
    database,
    url: null,
    superuser: () => {
      throw new Error("PGlite has one connection: use database.pglite directly");
    },
    drop: () => database.close(),
  };
}

export const DRIVERS = ["postgres", "pglite"] as const;
export const createTestDatabase = (driver: (typeof DRIVERS)[number]) =>
  driver === "postgres" ? createPostgresTestDatabase() : createPgliteTestDatabase();
