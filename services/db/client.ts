import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema/index.js";

/** The drizzle handle every query takes; a transaction (`tx`) has the same type. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: drizzle plus the raw driver, which bulk COPY needs. */
export type Database =
  | {
      driver: "postgres";
      db: Db;
      sql: postgres.Sql;
      url: string;
      close(): Promise<void>;
    }
  | { driver: "pglite"; db: Db; pglite: PGlite; close(): Promise<void> };

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/** Opens Postgres at `url`, or embedded PGlite in `pgliteDir` when no url is given. */
export async function openDatabase(opts: { url?: string; pgliteDir?: string; maxConnections?: number }): Promise<Database> {
  if (opts.url) {
    const sql = postgres(opts.url, {
      max: opts.maxConnections ?? 10,
      onnotice: () => {},
      // Dates stay strings (controlled_at is a calendar date, not an instant).
      types: { date: { to: 1082, from: [1082], serialize: (x: string) => x, parse: (x: string) => x } },
    });
    const db = drizzlePostgres(preparing(sql), { schema, casing: "snake_case" }) as unknown as Db;
    return {
      driver: "postgres",
      db,
      sql,
      url: opts.url,
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dir = opts.pgliteDir;
  if (dir && !dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir);
  const db = drizzlePglite(pglite, { schema, casing: "snake_case" }) as unknown as Db;
  return { driver: "pglite", db, pglite, close: () => pglite.close() };
}

/**
 * The postgres.js client as drizzle gets it: every statement with parameters is prepared, once per
 * connection. drizzle asks postgres.js not to prepare queries it was not given a name for, and
 * postgres.js then describes each of them in a round trip of its own, to learn the parameter
 * types, before it runs it: two round trips and two socket writes for every query, where a
 * prepared statement keeps its description (the lists benchmark: 1.9 against 2.6 to 2.9 ms of
 * API CPU per list created). The statement texts are the code's own, values always go as
 * parameters, so a connection holds a bounded set of them, and postgres.js retires connections
 * after 30 to 60 minutes. Transactions and savepoints hand out clients that prepare too.
 */
function preparing<S extends postgres.Sql | postgres.TransactionSql>(client: S): S {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, args?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, args, args?.length ? { ...options, prepare: true } : options);
      }
      if (property === "begin" || property === "savepoint") {
        const open = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return open(...args, (tx: postgres.TransactionSql) => body(preparing(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

const MIGRATION_LOCK = 7_402_000;

/**
 * Applies the committed drizzle-kit migrations; safe to run at every start. On a server, the API
 * and every worker start together, so one session-level advisory lock, on a connection of its own,
 * lets one process migrate while the others wait and then find nothing left to do.
 */
export async function migrateDatabase(database: Database, migrationUrl?: string): Promise<void> {
  if (database.driver === "postgres") {
    // The owner role when given (DATABASE_MIGRATION_URL): tables belong to whoever creates them.
    const single = postgres(migrationUrl ?? database.url, { max: 1, onnotice: () => {} });
    try {
      await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migratePostgres(drizzlePostgres(single) as never, { migrationsFolder: MIGRATIONS_FOLDER });
      await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    } finally {
      await single.end({ timeout: 5 });
    }
  } else {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

/** The SQLSTATE of a driver error (postgres.js, PGlite), also when drizzle wrapped it. */
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

/** Runs raw SQL and returns its rows, whichever driver is underneath (they shape results differently). */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * A query built once per database handle and then only executed (drizzle's `.prepare()` with
 * `sql.placeholder`): for the queries every request runs, where building the SQL from the query
 * builder each time costs more CPU than the database spends answering.
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = build(db)));
    return query;
  };
}
