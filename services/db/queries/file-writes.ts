import { sql } from "drizzle-orm";
import { type BulkTx, COPY_BINARY_HEADER } from "../bulk.js";
import { queryRows, sqlState } from "../client.js";
import { conflict } from "../../errors.js";

/**
 * Writing files in bulk (the CSV and JSON imports): rows held compactly, the table lock, and the
 * chunk writer that COPYs new files and updates known ones. Reads are in files.ts.
 */

/** A validated file ready to write; `attributesJson` holds every schema attribute (services/ingest). */
export interface FileRow {
  /** CSV line (or 0-based index of a JSON batch) the row came from, for error reports. */
  line: number;
  id: string;
  unit: string;
  readonly attributesJson: string;
  /** The same JSON as UTF-8 bytes, when the row keeps them instead (see EncodedFileRow). */
  readonly attributesBytes?: Buffer;
}

/**
 * A file row of a CSV import whose attributes JSON lives as UTF-8 in a shared 1 MB block (outside
 * the JS heap) instead of a string: chunk rows live across many young-generation collections, so
 * V8 promoted their strings (~600 MB for 1M files) and let the old space, hence the server's RSS,
 * grow by hundreds of MB between full collections. The string is rebuilt only when needed (an
 * update, PGlite); COPY takes the bytes as they are.
 */
export class EncodedFileRow implements FileRow {
  constructor(
    readonly line: number,
    readonly id: string,
    readonly unit: string,
    private readonly block: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get attributesJson(): string {
    return this.block.toString("utf8", this.start, this.end);
  }

  get attributesBytes(): Buffer {
    return this.block.subarray(this.start, this.end);
  }
}

/** Writes attributes JSON into shared blocks for EncodedFileRow. */
export class AttributesArena {
  private block = Buffer.allocUnsafe(ARENA_BLOCK_BYTES);
  private used = 0;

  row(line: number, id: string, unit: string, json: string): EncodedFileRow {
    if (json.length * 3 > this.block.length - this.used) {
      // The old block is freed with the last row that points into it.
      this.block = Buffer.allocUnsafe(Math.max(ARENA_BLOCK_BYTES, json.length * 3));
      this.used = 0;
    }
    const start = this.used;
    this.used += this.block.write(json, start);
    return new EncodedFileRow(line, id, unit, this.block, start, this.used);
  }
}

const ARENA_BLOCK_BYTES = 1 << 20;

export interface FileChunkResult {
  inserted: number;
  updated: number;
  /** Known ids sent again with the same unit and attributes: not written (updated_at stays). */
  unchanged: number;
  /** Rows whose id already came earlier in the same import: refused, never written twice. */
  repeated: FileRow[];
}

/** How long a bulk write waits for another one before answering 409: never minutes. */
const BULK_WRITE_LOCK_WAIT = "5s";
const LOCK_NOT_AVAILABLE = "55P03";

/**
 * Taken by every bulk write to files, to the end of its transaction: imports and batch upserts run
 * one after the other, so no other writer can insert an id between the existence check of a chunk
 * and its COPY. Readers are never blocked (SHARE ROW EXCLUSIVE conflicts only with writers).
 * https://www.postgresql.org/docs/current/explicit-locking.html
 *
 * A second writer waits at most BULK_WRITE_LOCK_WAIT, then gets a 409 naming the holder (its
 * `holder`, kept as the session's application_name for the transaction), instead of queueing
 * behind an upload that may take minutes.
 */
export async function lockFilesForBulkWrite(tx: BulkTx, holder: string): Promise<void> {
  if (tx.driver === "pglite") {
    await tx.db.execute(sql`lock table files in share row exclusive mode`);
    return;
  }
  await tx.db.execute(
    sql`select set_config('application_name', ${`cts bulk write: ${holder}`.slice(0, 63)}, true),
               set_config('lock_timeout', ${BULK_WRITE_LOCK_WAIT}, true)`,
  );
  try {
    await tx.db.transaction((savepoint) => savepoint.execute(sql`lock table files in share row exclusive mode`));
  } catch (error) {
    if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
    const [other] = await queryRows<{ name: string; since: Date | string }>(
      tx.db,
      sql`select a.application_name as name, a.xact_start as since from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.relation = 'files'::regclass and l.granted and l.mode = 'ShareRowExclusiveLock' and l.pid <> pg_backend_pid() limit 1`,
    );
    const who = other ? `${other.name.replace(/^cts bulk write: /, "")}, since ${new Date(other.since).toISOString()}` : "unknown";
    throw conflict(`another import of files is in progress (${who}): try again once it has finished`, { holder: who });
  }
  await tx.db.execute(sql`select set_config('lock_timeout', '0', true)`);
}

/** A chunk of rows handed to `FileChunkWriter.prepare`, its existence probe already queued. */
export interface PreparedFileChunk {
  rows: FileRow[];
  /** Stored ids of the chunk → whether this transaction already wrote them (updated_at = now()). */
  readonly stored: Promise<Map<string, boolean>>;
  /** Resolved once this chunk's writes are on the wire: the next chunk's probe may go out then. */
  readonly writesSent: Deferred;
}

/**
 * Upserts the chunks of one bulk write, in order. Each chunk needs to know which of its ids are
 * stored, a query whose round trip (2.7 to 6.6 s of a 1,000,000-file import, against ~10 ms a chunk
 * in Postgres) kept the database idle: so a chunk's probe is queued behind the previous chunk's
 * COPY as soon as the chunk is complete (`prepare`), and its answer is waiting when the previous
 * chunk is done. Postgres runs a connection's statements in order, so the probe still sees every
 * row written before it, which is what finds ids repeated across chunks.
 */
export class FileChunkWriter {
  private previous: Deferred = resolvedDeferred();
  /**
   * Stored ids this write found unchanged and so did not touch: their updated_at cannot tell a
   * later repeat of the same id, so they are remembered here (only ids sent again as they are).
   */
  private readonly untouched = new Set<string>();

  constructor(private readonly tx: BulkTx) {}

  /** Queues the chunk's existence probe behind the previous chunk's writes. Call in chunk order. */
  prepare(rows: FileRow[]): PreparedFileChunk {
    const writesSent = deferred();
    const stored = this.previous.promise.then(() => findStoredIds(this.tx, rows));
    stored.catch(() => undefined);
    this.previous = writesSent;
    return { rows, stored, writesSent };
  }

  /**
   * Writes one prepared chunk of distinct ids (the caller removes repeats within a chunk), after the
   * previous chunk's write finished: new ids are COPYed straight into files (PGlite: one INSERT …
   * SELECT from a JSON parameter), stored ones updated from a JSON parameter with a new updated_at.
   * An id whose row already has updated_at = now() was written earlier in this same transaction
   * (now() is the transaction's start time), so it is a repeat across chunks, reported and not
   * written again.
   */
  async write(chunk: PreparedFileChunk, rows: FileRow[]): Promise<FileChunkResult> {
    try {
      const state = await chunk.stored;
      const fresh: FileRow[] = [];
      const existing: FileRow[] = [];
      const repeated: FileRow[] = [];
      for (const row of rows) {
        const touched = state.get(row.id);
        if (touched === undefined) fresh.push(row);
        else if (touched || this.untouched.has(row.id)) repeated.push(row);
        else existing.push(row);
      }
      if (fresh.length > 0) await this.insert(fresh, existing.length === 0 ? chunk.writesSent : null);
      let updated = 0;
      if (existing.length > 0) {
        const changed = await queryRows<{ id: string }>(
          this.tx.db,
          // moved_at: lists exclude a moved file's controls recorded under its old unit (migration 0021).
          sql`update files f set unit = r.unit, attributes = r.attributes, updated_at = now(),
                moved_at = case when f.unit <> r.unit then now() else f.moved_at end
              from jsonb_to_recordset(${recordsJson(existing)}::text::jsonb) as r(id text, unit text, attributes jsonb)
              where f.id = r.id and (f.unit, f.attributes) is distinct from (r.unit, r.attributes)
              returning f.id`,
        );
        updated = changed.length;
        if (updated < existing.length) {
          const written = new Set(changed.map((r) => r.id));
          for (const row of existing) if (!written.has(row.id)) this.untouched.add(row.id);
        }
      }
      chunk.writesSent.resolve();
      return { inserted: fresh.length, updated, unchanged: existing.length - updated, repeated };
    } catch (error) {
      // The transaction is lost: the next chunk's probe must not go out (the rollback may come first).
      chunk.writesSent.reject(error);
      throw error;
    }
  }

  /** `lastWrite`, when given, is resolved as soon as the COPY's data is sent, before its end is confirmed. */
  private async insert(rows: FileRow[], lastWrite: Deferred | null): Promise<void> {
    if (this.tx.driver === "postgres") {
      await copyFiles(this.tx, rows, lastWrite);
    } else {
      await this.tx.db.execute(sql`insert into files (id, unit, attributes)
        select r.id, r.unit, r.attributes from jsonb_to_recordset(${recordsJson(rows)}::text::jsonb)
          as r(id text, unit text, attributes jsonb)`);
    }
  }
}

/**
 * Which of `rows`' ids are stored, and whether this transaction wrote them. One range probe first:
 * when no stored id lies between the chunk's smallest and largest id (a first import of ids in
 * order, the usual case), every id is new and the 10,000 point probes (10% of the database time of
 * a 1M-file import) are skipped. min/max are taken in SQL, so that they compare as the primary key
 * index does (its collation, not JavaScript's).
 */
async function findStoredIds(tx: BulkTx, rows: FileRow[]): Promise<Map<string, boolean>> {
  const ids = JSON.stringify(rows.map((r) => r.id));
  const [{ overlap }] = await queryRows<{ overlap: boolean }>(
    tx.db,
    sql`with ids as (select jsonb_array_elements_text(${ids}::text::jsonb) as id)
        select exists (select 1 from files f where f.id between (select min(id) from ids) and (select max(id) from ids)) as overlap`,
  );
  const found = overlap
    ? await queryRows<{ id: string; touched: boolean }>(
        tx.db,
        sql`select f.id, f.updated_at = now() as touched from files f
            where f.id = any(array(select jsonb_array_elements_text(${ids}::text::jsonb)))`,
      )
    : [];
  return new Map(found.map((f) => [f.id, f.touched]));
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Promise.withResolvers, which Node 20 does not have yet. */
function deferred(): Deferred {
  const d = {} as Deferred;
  d.promise = new Promise<void>((resolve, reject) => Object.assign(d, { resolve, reject }));
  d.promise.catch(() => undefined);
  return d;
}

function resolvedDeferred(): Deferred {
  const d = deferred();
  d.resolve();
  return d;
}

/**
 * COPYs new files straight into files (Postgres), in COPY's binary format: fields go in with their
 * length, so Postgres does not scan ~600 MB of text per 1,000,000 files for tabs and backslashes
 * (psql, same rows: 9.9 to 10.4 s against 11.2 s as text), and nothing needs escaping here.
 * jsonb's binary input is a version byte (1) and the JSON text.
 */
async function copyFiles(tx: BulkTx, rows: FileRow[], dataSent: Deferred | null): Promise<void> {
  const payload = tx.payload;
  payload.reset();
  payload.appendBytes(COPY_BINARY_HEADER);
  for (const r of rows) {
    payload.appendInt16(3);
    payload.appendField(r.id);
    payload.appendField(r.unit);
    payload.appendField(r.attributesBytes ?? r.attributesJson, JSONB_VERSION);
  }
  payload.appendInt16(-1);
  const copy = await tx.openCopy("copy files (id, unit, attributes) from stdin with (format binary)");
  const ended = copy.end(payload.bytes());
  void copy.sent.then(() => dataSent?.resolve());
  await ended;
}

const JSONB_VERSION = 1;

/** `[{"id":…,"unit":…,"attributes":{…}},…]` without re-serializing the attributes. */
function recordsJson(rows: FileRow[]): string {
  let json = "[";
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i];
    json += `${i > 0 ? "," : ""}{"id":${JSON.stringify(r.id)},"unit":${JSON.stringify(r.unit)},"attributes":${r.attributesJson}}`;
  }
  return `${json}]`;
}
