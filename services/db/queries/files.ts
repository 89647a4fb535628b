import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { type BulkTx, COPY_BINARY_HEADER } from "../bulk.js";
import { type Db, queryRows } from "../client.js";
import { files, outcomes } from "../schema/index.js";

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
  /** Rows whose id already came earlier in the same import: refused, never written twice. */
  repeated: FileRow[];
}

/**
 * Taken by every bulk write to files, to the end of its transaction: imports and batch upserts run
 * one after the other (a second one waits), so no other writer can insert an id between the
 * existence check of a chunk and its COPY. Readers are never blocked (SHARE ROW EXCLUSIVE conflicts
 * only with writers). https://www.postgresql.org/docs/current/explicit-locking.html
 */
export async function lockFilesForBulkWrite(tx: BulkTx): Promise<void> {
  await tx.db.execute(sql`lock table files in share row exclusive mode`);
}

/**
 * Upserts one chunk of distinct ids (the caller removes repeats within a chunk). One query finds
 * which ids exist (skipped when a range probe shows that none can); new ones are COPYed straight
 * into files (PGlite: one INSERT … SELECT from a JSON parameter), existing ones updated from a JSON parameter with a new updated_at. An id whose row
 * already has updated_at = now() was written earlier in this same transaction (now() is the
 * transaction's start time), so it is a repeat across chunks, reported and not written again.
 */
export async function writeFileChunk(tx: BulkTx, rows: FileRow[]): Promise<FileChunkResult> {
  if (rows.length === 0) return { inserted: 0, updated: 0, repeated: [] };
  const ids = JSON.stringify(rows.map((r) => r.id));
  // One range probe first: when no stored id lies between the chunk's smallest and largest id (a
  // first import of ids in order, the usual case), every id is new and the 10,000 point probes
  // below (10% of the database time of a 1M-file import) are skipped. min/max are taken in SQL, so
  // that they compare as the primary key index does (its collation, not JavaScript's).
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
  const state = new Map(found.map((f) => [f.id, f.touched]));
  const fresh: FileRow[] = [];
  const existing: FileRow[] = [];
  const repeated: FileRow[] = [];
  for (const row of rows) {
    const touched = state.get(row.id);
    if (touched === undefined) fresh.push(row);
    else if (touched) repeated.push(row);
    else existing.push(row);
  }
  if (fresh.length > 0) {
    if (tx.driver === "postgres") {
      await copyFiles(tx, fresh);
    } else {
      await tx.db.execute(sql`insert into files (id, unit, attributes)
        select r.id, r.unit, r.attributes from jsonb_to_recordset(${recordsJson(fresh)}::text::jsonb)
          as r(id text, unit text, attributes jsonb)`);
    }
  }
  if (existing.length > 0) {
    await tx.db.execute(sql`update files f set unit = r.unit, attributes = r.attributes, updated_at = now()
      from jsonb_to_recordset(${recordsJson(existing)}::text::jsonb) as r(id text, unit text, attributes jsonb)
      where f.id = r.id`);
  }
  return { inserted: fresh.length, updated: existing.length, repeated };
}

/**
 * COPYs new files straight into files (Postgres), in COPY's binary format: fields go in with their
 * length, so Postgres does not scan ~600 MB of text per 1,000,000 files for tabs and backslashes
 * (psql, same rows: 9.9 to 10.4 s against 11.2 s as text), and nothing needs escaping here.
 * jsonb's binary input is a version byte (1) and the JSON text.
 */
async function copyFiles(tx: BulkTx, rows: FileRow[]): Promise<void> {
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
  await tx.copy("copy files (id, unit, attributes) from stdin with (format binary)", payload.bytes());
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

export const FILE_COLUMNS = {
  id: files.id,
  unit: files.unit,
  attributes: files.attributes,
  createdAt: files.createdAt,
  updatedAt: files.updatedAt,
};

export interface FileListFilter {
  /** Only these units (an inspector's), or null for all. */
  units: string[] | null;
  after?: string;
  limit: number;
}

/** Keyset page of files in id order (files_unit_id_idx serves a unit filter, the primary key the rest). */
export async function listFiles(db: Db, filter: FileListFilter) {
  const conditions = [
    filter.units ? (filter.units.length === 1 ? eq(files.unit, filter.units[0]) : inArray(files.unit, filter.units)) : undefined,
    filter.after !== undefined ? gt(files.id, filter.after) : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select(FILE_COLUMNS)
    .from(files)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(files.id))
    .limit(filter.limit + 1);
  const hasMore = rows.length > filter.limit;
  const items = hasMore ? rows.slice(0, filter.limit) : rows;
  return { items, nextAfter: hasMore ? items[items.length - 1].id : null };
}

/** One file with its past controls (oldest first), or null. */
export async function getFileWithOutcomes(db: Db, id: string) {
  const [file] = await db.select(FILE_COLUMNS).from(files).where(eq(files.id, id)).limit(1);
  if (!file) return null;
  const controls = await db
    .select({
      id: outcomes.id,
      controlledAt: outcomes.controlledAt,
      outcome: outcomes.outcome,
      amount: outcomes.amount,
      selectedBy: outcomes.selectedBy,
      selectionProbability: outcomes.selectionProbability,
      controlListId: outcomes.controlListId,
      inspector: outcomes.inspector,
      notes: outcomes.notes,
      recordedBy: outcomes.recordedBy,
      recordedAt: outcomes.recordedAt,
    })
    .from(outcomes)
    .where(eq(outcomes.fileId, id))
    .orderBy(asc(outcomes.controlledAt), asc(outcomes.id));
  return { ...file, outcomes: controls };
}

/** Number of files, for the demo loader and tests. */
export async function countFiles(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from files`);
  return row.n;
}
