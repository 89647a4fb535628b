import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { notFound } from "../../errors.js";
import { type Db, preparedPerDb, queryRows } from "../client.js";
import { controlListItems, controlLists } from "../schema/index.js";

export type ControlListRow = typeof controlLists.$inferSelect;
export type ControlListItemRow = typeof controlListItems.$inferSelect;

/** Categorical filters: attribute name → accepted values. */
export type ListFilters = Record<string, string[]>;

/**
 * What a list of `unit` is built from, as stored: whether the unit has files, the latest feature
 * schema, the active model (or the last suspended one), and that model's latest completed
 * non-shadow run whose scope covers the unit (a scope without `units`, or with an empty list,
 * covers all units). Whether these make a usable source is the caller's rule (lists/list-source.ts).
 */
export interface ListSourceFacts {
  unitExists: boolean;
  schema: FeatureSchemaDefinition | null;
  modelId: string | null;
  activatedAt: Date | null;
  runId: string | null;
  runCreatedAt: Date | null;
  scoresDroppedAt: string | null;
  suspended: { id: string; by: string; at: string; why: string } | null;
}

export async function findListSource(db: Db, unit: string): Promise<ListSourceFacts> {
  const [row] = await queryRows<{
    unit_exists: boolean;
    model_id: string | null;
    activated_at: Date | string | null;
    run_id: string | null;
    run_created_at: Date | string | null;
    scores_dropped_at: string | null;
    suspended: ListSourceFacts["suspended"];
    definition: FeatureSchemaDefinition | null;
  }>(
    db,
    sql`select exists (select 1 from files where unit = ${unit}) as unit_exists,
               m.id as model_id, m.activated_at, r.id as run_id, r.created_at as run_created_at, r.scores_dropped_at,
               (select definition from feature_schemas order by version desc limit 1) as definition,
               (select jsonb_build_object('id', s.id, 'by', s.suspended_by, 'at', s.suspended_at, 'why', s.suspension_justification)
                  from models s where s.status = 'suspended' order by s.suspended_at desc limit 1) as suspended
        from (select 1) as one
        left join models m on m.status = 'active'
        left join lateral (
          select id, created_at, progress->>'scoresDroppedAt' as scores_dropped_at from scoring_runs
          where model_id = m.id and status = 'completed' and not shadow
            and (coalesce(jsonb_array_length(scope->'units'), 0) = 0 or scope->'units' ? ${unit})
          order by created_at desc limit 1
        ) r on true`,
  );
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    unitExists: row.unit_exists,
    schema: row.definition,
    modelId: row.model_id,
    activatedAt: date(row.activated_at),
    runId: row.run_id,
    runCreatedAt: date(row.run_created_at),
    scoresDroppedAt: row.scores_dropped_at,
    suspended: row.suspended,
  };
}

/** One scored file of a unit, with the amount that yield ranking multiplies its score by. */
export interface ScoredFile {
  fileId: string;
  score: number;
  amount: number | null;
}

/**
 * Every file of `unit` scored in `runId`, with the amount for yield ranking and only the files
 * whose categorical attributes pass `filters`. One scan of the unit (files_unit_id_idx) joined to
 * the run's partition by its primary key.
 */
export async function loadScoredFiles(
  db: Db,
  params: { runId: string; unit: string; amountAttribute?: string | null; filters?: ListFilters },
): Promise<ScoredFile[]> {
  const conditions: SQL[] = [sql`s.run_id = ${params.runId}`, sql`f.unit = ${params.unit}`];
  for (const [attr, values] of Object.entries(params.filters ?? {})) {
    conditions.push(sql`f.attributes->>${attr} = any(${toTextArray(values)})`);
  }
  const amount = params.amountAttribute
    ? sql`case when jsonb_typeof(f.attributes->${params.amountAttribute}) = 'number' then (f.attributes->>${params.amountAttribute})::float8 end`
    : sql`null::float8`;
  const rows = await queryRows<{ file_id: string; score: number; amount: number | null }>(
    db,
    sql`select s.file_id, s.score, ${amount} as amount
        from scores s join files f on f.id = s.file_id
        where ${sql.join(conditions, sql` and `)}`,
  );
  return rows.map((r) => ({ fileId: r.file_id, score: Number(r.score), amount: r.amount === null ? null : Number(r.amount) }));
}

const toTextArray = (values: string[]) => sql`${`{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`}::text[]`;

/**
 * Takes the lock under which lists of `unit` are built, held to the end of the transaction: the
 * next builder of the unit waits, then reads the exclusions with a fresh snapshot that holds this
 * list, so two lists of a unit never share a file, whatever process built them.
 */
export async function lockUnitLists(tx: Db, unit: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('cts-control-list:' || ${unit}))`);
}

/**
 * Files that may not go on a new list of `unit`: those pending on one of its open lists
 * (control_lists_open_unit_idx) and those controlled on or after `cutoff`. A control counts for the
 * unit its file was in when it was recorded (outcomes_unit_controlled_idx, migration 0021), plus
 * the controls of files that moved into the unit since the window began (files_moved_idx), so a
 * file controlled elsewhere is still excluded after a move. Each part is one index range of this
 * unit's rows. Run it after lockUnitLists, so it sees every list committed before the lock was
 * granted.
 */
export async function ineligibleFiles(tx: Db, params: { unit: string; cutoff: string }): Promise<string[]> {
  // One newline-separated text rather than a text[]: splitting it is native, parsing an array of
  // thousands of ids was a large share of a list's CPU in the API. File ids hold no control
  // characters (FILE_ID_PATTERN, services/ingest/values.ts).
  const [row] = await queryRows<{ files: string | null }>(
    tx,
    sql`select string_agg(file_id, E'\n') as files from (
          -- Each open list's items by its own index range. OFFSET 0 keeps this a per-list lookup: as a
          -- plain join, fresh statistics (which overestimate the items per list) made the planner
          -- read every item of every unit in a hash join, 590 buffers a create instead of 280, and
          -- more as items accumulate (the lists benchmark, auto_explain).
          select i.file_id from control_lists l cross join lateral (
            select i.file_id from control_list_items i where i.list_id = l.id and i.status not in ('done', 'skipped') offset 0
          ) i
          where l.unit = ${params.unit} and l.status = 'open'
          union all
          select o.file_id from outcomes o where o.unit = ${params.unit} and o.controlled_at >= ${params.cutoff}::date
          union all
          -- A day's margin: controlled_at is a local calendar date, moved_at an instant.
          select o.file_id from files f join outcomes o on o.file_id = f.id
          where f.unit = ${params.unit} and f.moved_at >= ${params.cutoff}::date - 1 and o.controlled_at >= ${params.cutoff}::date
        ) ineligible`,
  );
  return row.files ? row.files.split("\n") : [];
}

/** An inserted item's columns under their ControlListItemRow names (for raw INSERT … RETURNING). */
export const ITEM_ROW_COLUMNS = sql.raw(`list_id as "listId", file_id as "fileId", position, score, selected_by as "selectedBy",
  selection_probability as "selectionProbability", reasons, status, assigned_to as "assignedTo",
  outcome_id as "outcomeId", claimed_at as "claimedAt", started_at as "startedAt", done_at as "doneAt", note`);

/** A list to insert, with its picks in position order. */
export interface NewControlList {
  id: string;
  unit: string;
  runId: string;
  modelId: string;
  seed: number;
  params: Record<string, unknown>;
  createdBy: string;
  items: Pick<ControlListItemRow, "fileId" | "position" | "score" | "selectedBy" | "selectionProbability">[];
}

/**
 * Inserts a list and its items, each item's reasons copied from its score row in the list's run,
 * and returns the items with their files' attributes (for the reasons in words), as a read does.
 * Items are inserted only for files still in the list's unit: returns null when a file has moved
 * to another unit since the list was selected (the caller rolls back).
 */
export async function insertControlList(
  tx: Db,
  input: NewControlList,
): Promise<{ list: ControlListRow; items: (ControlListItemRow & { attributes: Record<string, unknown> })[] } | null> {
  const { items, ...row } = input;
  const [list] = await tx.insert(controlLists).values(row).returning();
  const inserted = await queryRows<ControlListItemRow & { attributes: Record<string, unknown> }>(
    tx,
    // Probes per item (files by id, the run's partition by file id) as scalar subqueries: a join
    // may be planned as a read of every file of the unit, or a scan of every partition.
    sql`with picked as (
          select p.*, (select f.attributes from files f where f.id = p."fileId" and f.unit = ${input.unit}) as attributes
          from jsonb_to_recordset(${JSON.stringify(items)}::jsonb)
               as p("fileId" text, position int, score float8, "selectedBy" text, "selectionProbability" float8)
        ), stored as (
          insert into control_list_items (list_id, file_id, position, score, selected_by, selection_probability, reasons)
          select ${input.id}, p."fileId", p.position, p.score, p."selectedBy", p."selectionProbability",
                 coalesce((select s.reasons from scores s where s.run_id = ${input.runId} and s.file_id = p."fileId"), '[]'::jsonb)
          from picked p where p.attributes is not null
          returning ${ITEM_ROW_COLUMNS}
        )
        select stored.*, picked.attributes from stored join picked on picked."fileId" = stored."fileId"`,
  );
  if (inserted.length !== items.length) return null;
  return { list, items: inserted.sort((a, b) => a.position - b.position) };
}

/** One list row, or a 404. */
export async function getControlList(db: Db, id: string): Promise<ControlListRow> {
  const [list] = await db.select().from(controlLists).where(eq(controlLists.id, id)).limit(1);
  if (!list) throw notFound(`control list ${id}`);
  return list;
}

/**
 * The list row locked for the rest of the transaction, or a 404: changes to a list's items take
 * it first, so they run one at a time per list. Without it, the outcomes of a list's last two
 * items, recorded at once, each counted the other as still open and the list never closed.
 */
export async function lockControlList(db: Db, id: string): Promise<ControlListRow> {
  const [list] = await db.select().from(controlLists).where(eq(controlLists.id, id)).for("update").limit(1);
  if (!list) throw notFound(`control list ${id}`);
  return list;
}

/**
 * An item as a read hands it out (what the JSON and CSV views show), with its file's current
 * attributes, which the reasons in words and the CSV export's columns are written from.
 */
export type ControlListItemView = Pick<
  ControlListItemRow,
  "position" | "fileId" | "score" | "reasons" | "status" | "note" | "assignedTo" | "outcomeId" | "selectedBy" | "selectionProbability"
> & { attributes?: Record<string, unknown> | null };

/**
 * A list row and its items in position order, with each item's file attributes, in one statement
 * and one row: the items come as one JSON array (parsed natively) rather than as joined rows that
 * repeat the list's columns and are mapped field by field, which was most of a read's CPU in the
 * API; and the attributes come with them rather than from a second round trip.
 */
const listWithItems = preparedPerDb((db) =>
  db
    .select({
      list: controlLists,
      items: sql<ControlListItemView[] | null>`(
        select json_agg(json_build_object(
                 'position', i.position, 'fileId', i.file_id, 'score', i.score, 'reasons', i.reasons,
                 'status', i.status, 'note', i.note, 'assignedTo', i.assigned_to, 'outcomeId', i.outcome_id,
                 'selectedBy', i.selected_by, 'selectionProbability', i.selection_probability,
                 -- A probe per item, not a join, which may be planned as a scan of every file.
                 'attributes', (select f.attributes from files f where f.id = i.file_id))
               order by i.position)
        from control_list_items i where i.list_id = ${controlLists.id})`,
    })
    .from(controlLists)
    .where(eq(controlLists.id, sql.placeholder("id")))
    .prepare("control_list_with_items"),
);

/** A list and its items in position order, or a 404. */
export async function getControlListWithItems(db: Db, id: string): Promise<{ list: ControlListRow; items: ControlListItemView[] }> {
  const [row] = await listWithItems(db).execute({ id });
  if (!row) throw notFound(`control list ${id}`);
  return { list: row.list, items: row.items ?? [] };
}

export interface ListFilter {
  units: string[] | null;
  unit?: string;
  status?: "open" | "closed";
  createdBy?: string;
  limit: number;
}

/** Newest lists first, limited to `units` (an inspector's) when given, with their item counts. */
export async function listControlLists(db: Db, filter: ListFilter) {
  const conditions = [
    filter.units ? inArray(controlLists.unit, filter.units.length ? filter.units : [""]) : undefined,
    filter.unit ? eq(controlLists.unit, filter.unit) : undefined,
    filter.status ? eq(controlLists.status, filter.status) : undefined,
    filter.createdBy ? eq(controlLists.createdBy, filter.createdBy) : undefined,
  ].filter((c) => c !== undefined);
  return db
    .select({
      list: controlLists,
      items: sql<number>`(select count(*)::int from control_list_items i where i.list_id = ${controlLists.id})`,
      done: sql<number>`(select count(*)::int from control_list_items i where i.list_id = ${controlLists.id} and i.status = 'done')`,
    })
    .from(controlLists)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(controlLists.createdAt))
    .limit(filter.limit);
}
