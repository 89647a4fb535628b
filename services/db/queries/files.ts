import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { type Db, queryRows } from "../client.js";
import { files, outcomes } from "../schema/index.js";

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
/**
 * The units among `units` that no file belongs to. A unit exists once a file of it is imported:
 * a key for any other unit would see nothing, and is most likely a typo.
 */
export async function unitsWithoutFiles(db: Db, units: string[]): Promise<string[]> {
  if (units.length === 0) return [];
  const known = await db.selectDistinct({ unit: files.unit }).from(files).where(inArray(files.unit, units));
  const found = new Set(known.map((r) => r.unit));
  return units.filter((u) => !found.has(u));
}

/** The attributes of the files `ids` (one query, for an export's columns). */
export async function fileAttributes(db: Db, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: string; attributes: Record<string, unknown> | string }>(
    db,
    sql`select id, attributes from files where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  return new Map(rows.map((r) => [r.id, typeof r.attributes === "string" ? JSON.parse(r.attributes) : r.attributes]));
}

export async function countFiles(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from files`);
  return row.n;
}
