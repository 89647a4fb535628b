import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import type { Actor } from "../../auth/actor.js";
import { conflict, invalid, notFound } from "../../errors.js";
import type { Candidate, Selection } from "../../lists/select.js";
import { type Database, type Db, queryRows } from "../client.js";
import { durableTransaction } from "../durable-commit.js";
import { controlListItems, controlLists } from "../schema/index.js";
import { appendAuditEvent, recordAuditEvent } from "./audit-events.js";

export type ControlListRow = typeof controlLists.$inferSelect;
export type ControlListItemRow = typeof controlListItems.$inferSelect;

/** Categorical filters: attribute name → accepted values. */
export type ListFilters = Record<string, string[]>;

/** The run a list is drawn from, with its model's activation time. */
export interface SourceRun {
  runId: string;
  modelId: string;
  createdAt: Date;
  activatedAt: Date | null;
}

/** What building a list for a unit starts from, read in one round trip. */
export interface ListSource {
  unitExists: boolean;
  run: SourceRun;
  schema: FeatureSchemaDefinition | null;
}

/**
 * Whether `unit` has files, the latest feature schema, and the source run: the latest completed
 * non-shadow run of the active model whose scope covers `unit` (a scope without `units`, or with
 * an empty list, covers all units). 409 when there is none, or when it was requested before the
 * model became active, since its scores then predate the approval. The caller checks unitExists
 * first: an unknown unit is a bad request, not a conflict.
 */
export async function resolveListSource(db: Db, unit: string): Promise<{ unitExists: boolean; resolve: () => ListSource }> {
  const [row] = await queryRows<{
    unit_exists: boolean;
    model_id: string | null;
    activated_at: Date | string | null;
    run_id: string | null;
    run_created_at: Date | string | null;
    definition: FeatureSchemaDefinition | null;
  }>(
    db,
    sql`select exists (select 1 from files where unit = ${unit}) as unit_exists,
               m.id as model_id, m.activated_at, r.id as run_id, r.created_at as run_created_at,
               (select definition from feature_schemas order by version desc limit 1) as definition
        from (select 1) as one
        left join models m on m.status = 'active'
        left join lateral (
          select id, created_at from scoring_runs
          where model_id = m.id and status = 'completed' and not shadow
            and (coalesce(jsonb_array_length(scope->'units'), 0) = 0 or scope->'units' ? ${unit})
          order by created_at desc limit 1
        ) r on true`,
  );
  const resolve = (): ListSource => {
    if (!row.model_id) throw conflict("no model is active: approve and activate a model, then score, before building lists");
    if (!row.run_id || !row.run_created_at) {
      throw conflict(`the active model has no completed non-shadow scoring run covering unit "${unit}"`, { modelId: row.model_id });
    }
    const createdAt = new Date(row.run_created_at);
    const activatedAt = row.activated_at === null ? null : new Date(row.activated_at);
    if (activatedAt && createdAt < activatedAt) {
      throw conflict(
        `the latest scoring run for unit "${unit}" (${createdAt.toISOString()}) is older than the active model ` +
          `(activated ${activatedAt.toISOString()}): start a new scoring run first`,
        { runId: row.run_id, modelId: row.model_id },
      );
    }
    return { unitExists: row.unit_exists, run: { runId: row.run_id, modelId: row.model_id, createdAt, activatedAt }, schema: row.definition };
  };
  return { unitExists: row.unit_exists, resolve };
}

/**
 * Every file of `unit` scored in `runId`, with the amount for yield ranking and only the files
 * whose categorical attributes pass `filters`. One scan of the unit (files_unit_id_idx) joined to
 * the run's partition by its primary key.
 */
export async function loadScoredCandidates(
  db: Db,
  params: { runId: string; unit: string; amountAttribute?: string | null; filters?: ListFilters },
): Promise<Candidate[]> {
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

/** Files of `unit` controlled on or after `cutoff` (a scan of the unit's files; cached by the caller). */
export async function recentlyControlledFiles(db: Db, unit: string, cutoff: string): Promise<Set<string>> {
  const rows = await queryRows<{ file_id: string }>(
    db,
    sql`select distinct o.file_id from outcomes o join files f on f.id = o.file_id
        where f.unit = ${unit} and o.controlled_at >= ${cutoff}::date`,
  );
  return new Set(rows.map((r) => r.file_id));
}

/**
 * The files of `unit` still pending on an open list, and the outcomes change stamp (migration
 * 0003: bumped by every statement that changes outcomes, so a set derived from outcomes and read
 * under the same stamp is still valid), in one round trip.
 */
async function openListFilesAndStamp(db: Db, unit: string): Promise<{ stamp: string; files: string[] }> {
  const [row] = await queryRows<{ stamp: string | number; files: string[] }>(
    db,
    sql`select (select stamp from outcomes_change_stamp where id = 1) as stamp,
               array(select i.file_id from control_lists l join control_list_items i on i.list_id = l.id
                     where l.unit = ${unit} and l.status = 'open' and i.status <> 'done') as files`,
  );
  return { stamp: String(row.stamp), files: row.files };
}

export interface NewListInput {
  id: string;
  unit: string;
  runId: string;
  modelId: string;
  seed: number;
  /** First date of the exclusion window (files controlled on or after it are not eligible). */
  cutoff: string;
  params: Record<string, unknown>;
}

/**
 * Builds and stores a list as one snapshot: under a per-unit advisory lock (two lists of a unit
 * built at once would otherwise both take the same files), reads the exclusions (recent controls
 * from `controlledSince`, which may answer from a cache, plus files on open lists), lets `select`
 * pick, copies each pick's reasons from its score, inserts list and items and appends the
 * control_list.create audit event last, all in one transaction.
 */
export async function insertControlListSnapshot(
  db: Db,
  input: NewListInput,
  select: (excluded: ReadonlySet<string>) => Selection,
  controlledSince: (tx: Db, outcomesStamp: string) => Promise<ReadonlySet<string>>,
  actor: Actor,
  requestId?: string,
): Promise<{ list: ControlListRow; items: ControlListItemRow[]; selection: Selection }> {
  return durableTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cts-control-list:${input.unit}`}))`);
    // After the lock, in statements of their own: each statement's snapshot then includes every
    // list committed by whoever held the lock before.
    const open = await openListFilesAndStamp(tx, input.unit);
    const excluded = new Set(await controlledSince(tx, open.stamp));
    for (const id of open.files) excluded.add(id);
    const selection = select(excluded);
    if (selection.picks.length === 0) {
      throw conflict(`no file of unit "${input.unit}" is eligible: all are excluded, filtered out or unscored`);
    }
    const ids = selection.picks.map((p) => p.fileId);
    const reasonRows = await queryRows<{ file_id: string; reasons: unknown[] }>(
      tx,
      sql`select file_id, reasons from scores where run_id = ${input.runId} and file_id = any(${toTextArray(ids)})`,
    );
    const reasons = new Map(reasonRows.map((r) => [r.file_id, r.reasons]));
    const params = { ...input.params, nEligible: selection.nEligible, nModel: selection.nModel, nExplore: selection.nExplore };
    const [list] = await tx
      .insert(controlLists)
      .values({ id: input.id, unit: input.unit, params, runId: input.runId, modelId: input.modelId, seed: input.seed, createdBy: actor.id })
      .returning();
    const items = await tx.insert(controlListItems).values(
      selection.picks.map((p) => ({
        listId: input.id,
        fileId: p.fileId,
        position: p.position,
        score: p.score,
        selectedBy: p.selectedBy,
        selectionProbability: p.selectionProbability,
        reasons: reasons.get(p.fileId) ?? [],
      })),
    ).returning();
    items.sort((a, b) => a.position - b.position);
    await appendAuditEvent(tx, {
      actor,
      action: "control_list.create",
      target: input.id,
      details: { unit: input.unit, runId: input.runId, modelId: input.modelId, seed: input.seed, files: ids.length, ...params },
      requestId,
    });
    return { list, items, selection };
  });
}

/** One list row, or a 404. */
export async function getControlList(db: Db, id: string): Promise<ControlListRow> {
  const [list] = await db.select().from(controlLists).where(eq(controlLists.id, id)).limit(1);
  if (!list) throw notFound(`control list ${id}`);
  return list;
}

/**
 * A list and its items in position order, and the read (or export) audit event, recorded before
 * the list is returned: a list handed out is always on the trail (if recording fails, nothing is
 * handed out).
 */
export async function readControlList(
  database: Database,
  id: string,
  authorize: (list: ControlListRow) => void,
  actor: Actor,
  audit: { action: "control_list.read" | "control_list.export"; requestId?: string },
): Promise<{ list: ControlListRow; items: ControlListItemRow[] }> {
  const { db } = database;
  const list = await getControlList(db, id);
  authorize(list);
  const items = await db.select().from(controlListItems).where(eq(controlListItems.listId, id)).orderBy(asc(controlListItems.position));
  await recordAuditEvent(database, {
    actor,
    action: audit.action,
    target: id,
    details: { unit: list.unit, files: items.length, runId: list.runId, seed: list.seed, params: list.params },
    requestId: audit.requestId,
  });
  return { list, items };
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

/** Whether a filter names an attribute that is not categorical in the schema: 422 with the field. */
export function assertCategoricalFilters(schema: FeatureSchemaDefinition | null, filters: ListFilters): void {
  const categorical = new Set((schema?.attributes ?? []).filter((a) => a.type === "categorical").map((a) => a.name));
  const bad = Object.keys(filters).filter((name) => !categorical.has(name));
  if (bad.length) {
    throw invalid(
      "filters may only name categorical attributes of the current schema",
      bad.map((name) => ({ path: `filters.${name}`, message: `"${name}" is not a categorical attribute of the schema` })),
    );
  }
}
