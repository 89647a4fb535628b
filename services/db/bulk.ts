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
  /** COPY `statement` (… FROM STDIN) opened for data written in parts, then ended; Postgres only. */
  openCopy(statement: string): Promise<CopyStream>;
  /** The COPY text builder of this transaction, reused by every chunk (free again once its COPY has ended). */
  payload: CopyPayload;
}

/**
 * COPY data (text or binary format) built straight into one Buffer that grows to the largest chunk
 * and is then reused, so a chunk costs no per-row strings joined into a multi-megabyte string, nor
 * that string's encoding into yet another Buffer: those short-lived megabytes are what made an
 * import's heap and RSS grow.
 */
export class CopyPayload {
  private buf = Buffer.allocUnsafe(1 << 20);
  private length = 0;

  /** Empties the payload (its previous bytes must have been sent: its COPY has ended). */
  reset(): void {
    this.length = 0;
  }

  /** Appends `text` as UTF-8 (the caller escapes it for COPY). */
  append(text: string): void {
    const room = this.buf.length - this.length;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (text.length * 3 > room) this.grow(this.length + text.length * 3);
    this.length += this.buf.write(text, this.length);
  }

  /** Appends bytes already escaped for COPY. */
  appendBytes(bytes: Buffer): void {
    if (bytes.length > this.buf.length - this.length) this.grow(this.length + bytes.length);
    this.length += bytes.copy(this.buf, this.length);
  }

  /** Binary format: a 16-bit signed integer (a tuple's field count, or -1 to end). */
  appendInt16(n: number): void {
    if (this.buf.length - this.length < 2) this.grow(this.length + 2);
    this.length = this.buf.writeInt16BE(n, this.length);
  }

  /** Binary format: one field, its 32-bit length and then `prefix` (jsonb's version byte, 1) and the UTF-8 of `value`. */
  appendField(value: string | Buffer, prefix?: number): void {
    const bytes = typeof value === "string" ? value.length * 3 : value.length;
    if (this.buf.length - this.length < 5 + bytes) this.grow(this.length + 5 + bytes);
    const at = this.length;
    let end = at + 4;
    if (prefix !== undefined) end = this.buf.writeUInt8(prefix, end);
    end += typeof value === "string" ? this.buf.write(value, end) : value.copy(this.buf, end);
    this.buf.writeInt32BE(end - at - 4, at);
    this.length = end;
  }

  /** The bytes written so far (a view, valid until the next reset). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
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
      payload: new CopyPayload(),
      openCopy: async (statement) => {
        if (!client) throw new Error("COPY FROM STDIN needs Postgres; use the JSON path on PGlite");
        return openCopy(client, statement);
      },
    });
  });
}

/** An open COPY … FROM STDIN: data goes in by parts, then `end` completes it. */
export interface CopyStream {
  /** Sends `data`; resolves once postgres.js has taken the bytes (so a reused buffer may be refilled). */
  write(data: Uint8Array): Promise<void>;
  /** Sends the last `data`, if any, and completes the COPY; rejects if Postgres refused it. Idempotent. */
  end(data?: string | Uint8Array): Promise<void>;
  /**
   * Resolves once `end` has sent CopyDone (or the COPY failed): from then on the connection takes
   * queries again, and Postgres runs them after the COPY, so they see its rows.
   */
  readonly sent: Promise<void>;
}

/** COPY … FROM STDIN with all its data at once. */
export async function copyIn(client: postgres.TransactionSql, statement: string, data: string | Uint8Array): Promise<void> {
  await (await openCopy(client, statement)).end(data);
}

/**
 * COPY … FROM STDIN through postgres.js. postgres.js loses an error that the server reports after
 * the stream ended (it rejects the COPY query, whose promise already resolved with the stream), and
 * its 'finish' then never comes. So once CopyDone is sent, a `select 1` is queued behind the COPY: it
 * fails ("current transaction is aborted") exactly when the COPY did, and the server log has why.
 * While a COPY is open its connection can run nothing else, so it must be ended on every path.
 */
export async function openCopy(client: postgres.TransactionSql, statement: string): Promise<CopyStream> {
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
  const sent = Promise.race([copyDoneSent, finished]).then(
    () => undefined,
    () => undefined,
  );
  let ending: Promise<void> | null = null;
  const end = async (data?: string | Uint8Array) => {
    if (data === undefined) stream.end();
    else stream.end(data);
    await sent;
    try {
      await client.unsafe("select 1");
    } catch (error) {
      throw new Error(`COPY failed (${statement.slice(0, 60)}…): ${(error as Error).message}; the Postgres log has the reason`);
    }
    await finished;
  };
  return {
    write: (data) => new Promise<void>((resolve, reject) => stream.write(data, (error) => (error ? reject(error) : resolve()))),
    end: (data) => {
      ending ??= end(data);
      return ending;
    },
    sent,
  };
}

/** The header of COPY's binary format: signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(8)]);

/** Escapes a value for COPY's text format (backslash, tab, line ends); null is `\N`. */
export function copyText(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  return COPY_SPECIAL.test(value) ? value.replace(COPY_ESCAPES, (c) => COPY_ESCAPE_OF[c]) : value;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPE_OF: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
