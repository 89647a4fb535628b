import { once } from "node:events";
import type { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import type postgres from "postgres";
import type { Database, Db } from "./client.js";

/**
 * One transaction for a bulk write: the drizzle handle (queries, the audit append) and, on Postgres,
 * COPY FROM STDIN on the same connection. PGlite has no COPY from a stream here, so its callers
 * insert from a JSON parameter instead (DESIGN.md pitfalls: never one INSERT per row).
 */
export interface BulkTx {
  db: Db;
  driver: Database["driver"];
  /** COPY `statement` (… FROM STDIN, text format) with `data`; Postgres only. */
  copy(statement: string, data: string): Promise<void>;
}

/**
 * Runs `fn` in one drizzle transaction and gives it COPY on the same connection. drizzle does not
 * expose the postgres.js transaction it runs on; PgTransaction keeps it as `session.client`
 * (drizzle-orm 0.45, postgres-js/session.js), which is the one place that is reached into here.
 */
export async function withBulkTransaction<T>(database: Database, fn: (tx: BulkTx) => Promise<T>): Promise<T> {
  return database.db.transaction(async (tx) => {
    const client =
      database.driver === "postgres" ? (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client : null;
    // A bulk write runs many short chunk queries; JIT compiling them cost more than running them
    // (measured: 250 ms of JIT for a 100 ms outcome chunk check).
    if (client) await tx.execute(sql`set local jit = off`);
    return fn({
      db: tx,
      driver: database.driver,
      copy: async (statement, data) => {
        if (!client) throw new Error("COPY FROM STDIN needs Postgres; use the JSON path on PGlite");
        await copyIn(client, statement, data);
      },
    });
  });
}

/**
 * COPY … FROM STDIN through postgres.js. postgres.js loses an error that the server reports after
 * the stream ended (it rejects the COPY query, whose promise already resolved with the stream), and
 * its 'finish' then never comes. So once CopyDone is sent, a `select 1` is queued behind the COPY: it
 * fails ("current transaction is aborted") exactly when the COPY did, and the server log has why.
 */
async function copyIn(client: postgres.TransactionSql, statement: string, data: string): Promise<void> {
  const stream = (await client.unsafe(statement).writable()) as Writable & { _final(cb: (e?: Error) => void): void };
  const copyDoneSent = new Promise<void>((resolve) => {
    const final = stream._final.bind(stream);
    stream._final = (callback) => {
      final(callback);
      resolve();
    };
  });
  const finished = once(stream, "finish");
  finished.catch(() => undefined);
  stream.end(data);
  await Promise.race([copyDoneSent, finished]);
  try {
    await client.unsafe("select 1");
  } catch (error) {
    throw new Error(`COPY failed (${statement.slice(0, 60)}…): ${(error as Error).message}; the Postgres log has the reason`);
  }
  await finished;
}

/** Escapes a value for COPY's text format (backslash, tab, line ends); null is `\N`. */
export function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  return COPY_SPECIAL.test(value) ? value.replace(COPY_ESCAPES, (c) => COPY_ESCAPE_OF[c]) : value;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPE_OF: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
