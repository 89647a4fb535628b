import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import type { Actor } from "../../auth/actor.js";
import { conflict, invalid, notFound } from "../../errors.js";
import type { Candidate, Selection } from "../../lists/select.js";
import { type Database, type Db, preparedPerDb, queryRows } from "../client.js";
import { controlListItems, controlLists } from "../schema/index.js";
import { auditEntry, type ChainEntry, recordAuditEvent } from "./audit-events.js";

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
    scores_dropped_at: string | null;
    suspended: { id: string; by: string; at: string; why: string } | null;
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
  const resolve = (): ListSource => {
    if (!row.model_id && row.suspended) {
      const s = row.suspended;
      throw conflict(
        `model ${s.id} was suspended by ${s.by} at ${s.at}: "${s.why}". No list can be built until a model is approved again, or this one is resumed`,
        { reason: "model_suspended", modelId: s.id, suspendedBy: s.by, suspendedAt: s.at, justification: s.why },
      );
    }
    if (!row.model_id) throw conflict("no model is active: approve and activate a model, then score, before building lists");
    if (!row.run_id || !row.run_created_at) {
      throw conflict(`the active model has no completed non-shadow scoring run covering unit "${unit}"`, { modelId: row.model_id });
    }
    if (row.scores_dropped_at) {
      throw conflict(
        `the scores of the latest scoring run for unit "${unit}" were dropped by retention on ${row.scores_dropped_at}: start a new scoring run first`,
        { runId: row.run_id, modelId: row.model_id, reason: "scores_dropped" },
      );
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
 * Versions of what makes a unit's files ineligible: the outcomes change stamp (migration 0003) and
 * the unit's lists version (migration 0007). A set derived from outcomes, or from the unit's open
 * lists, read after these is at least as new as the version it is labelled with; a list selected
 * from it is stored only if the versions are unchanged under the unit's lock (migration 0009), so
 * what was stored was selected against exactly that state.
 */
export interface ExclusionVersions {
  outcomesStamp: string;
  listsVersion: string;
}

export async function readExclusionVersions(db: Db, unit: string): Promise<ExclusionVersions> {
  const [row] = await queryRows<{ stamp: string | number; version: string | number }>(
    db,
    sql`select (select stamp from outcomes_change_stamp where id = 1) as stamp,
               coalesce((select version from control_list_unit_versions where unit = ${unit}), 0) as version`,
  );
  return { outcomesStamp: String(row.stamp), listsVersion: String(row.version) };
}

/** The files of `unit` still pending on an open list (a scan of every open list's items). */
export async function openListFiles(db: Db, unit: string): Promise<string[]> {
  const [row] = await queryRows<{ files: string[] }>(
    db,
    sql`select array(select i.file_id from control_lists l join control_list_items i on i.list_id = l.id
                     where l.unit = ${unit} and l.status = 'open' and i.status <> 'done') as files`,
  );
  return row.files;
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

/** What a list was selected with, and the versions of the exclusions it was selected against. */
export interface VersionedSelection {
  selection: Selection;
  versions: ExclusionVersions;
}

/** How many times a list is selected again after another process changed its unit meanwhile. */
const STORE_ATTEMPTS = 5;

/**
 * The lists of each unit being built in this process, chained so one unit builds one list at a
 * time: they would otherwise select against the same exclusions and all but one store would be
 * refused. Lists of different units go on in parallel.
 */
const unitTurns = new Map<string, Promise<unknown>>();

async function inUnitTurn<T>(unit: string, fn: () => Promise<T>): Promise<T> {
  const previous = unitTurns.get(unit) ?? Promise.resolve();
  const turn = previous.then(fn, fn);
  const settled = turn.catch(() => undefined);
  unitTurns.set(unit, settled);
  try {
    return await turn;
  } finally {
    if (unitTurns.get(unit) === settled) unitTurns.delete(unit);
  }
}

/**
 * Builds and stores a list as one snapshot, so that two lists of a unit never share a file. In
 * this process the unit's lists are built one at a time (inUnitTurn); `select` picks against
 * exclusion versions it knows (its cache's label, or read before the sets), and the store
 * (cts_store_control_list_if_current, migration 0009) checks them under the unit's advisory lock
 * in the same call: if another process's list, an outcome or a claim moved one meanwhile, nothing
 * is stored and `select` runs again with `fresh` set, up to STORE_ATTEMPTS times (then a 409). A
 * stored list is passed to `stored` before the next list of the unit starts. The store writes
 * list, items and the control_list.create audit event in one call (writeSnapshot); the answer
 * then waits for durability.
 *
 * The store is one autocommit statement, committed synchronously: the answer is sent only once the
 * list, its items and its audit event are on disk.
 */
export async function insertControlListSnapshot(
  database: Database,
  input: NewListInput,
  select: (db: Db, fresh: boolean) => Promise<VersionedSelection>,
  stored: (made: VersionedSelection) => void,
  actor: Actor,
  requestId?: string,
): Promise<{ list: ControlListRow; items: ControlListItemRow[]; selection: Selection }> {
  const result = await inUnitTurn(input.unit, async () => {
    for (let attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
      const fresh = attempt > 1;
      const made = await select(database.db, fresh);
      if (made.selection.picks.length === 0) {
        // A first selection may use exclusions the unit has since freed (a list closed, say): only
        // one made against versions just read can say that nothing is eligible.
        if (!fresh) continue;
        throw conflict(`no file of unit "${input.unit}" is eligible: all are excluded, filtered out or unscored`);
      }
      const snapshot = await writeSnapshot(database, input, made, actor, requestId);
      if (snapshot) {
        stored(made);
        return { selection: made.selection, ...snapshot };
      }
    }
    throw conflict(`the lists of unit "${input.unit}" kept changing while this one was built: try again`);
  });
  return result;
}

/** A list to store, as cts_store_control_lists (migration 0007) takes it. */
interface StoreEntry {
  list: Omit<ControlListRow, "status" | "createdAt" | "closedAt">;
  items: Pick<ControlListItemRow, "fileId" | "position" | "score" | "selectedBy" | "selectionProbability">[];
  event: ChainEntry;
}
type Stored = { createdAt: Date; reasons: unknown[][] };

/**
 * Stores lists of `unit` with one call of cts_store_control_list_if_current (migration 0009), if
 * the unit's exclusions are still at `versions`; results in the order of `entries`, or null when
 * a version moved and nothing was stored. The API stores one list per call: batching the lists of
 * concurrent requests into one call (one chain-lock hold) was measured slower, since it also
 * serializes their inserts.
 */
async function storeListsIfCurrent(db: Db, unit: string, versions: ExclusionVersions, entries: StoreEntry[]): Promise<Stored[] | null> {
  const rows = await queryRows<{ stored_list: string; stored_at: Date | string; stored_reasons: unknown[][] }>(
    db,
    sql`select stored_list, stored_at, stored_reasons
        from cts_store_control_list_if_current(${unit}, ${versions.outcomesStamp}::bigint, ${versions.listsVersion}::bigint, ${JSON.stringify(entries)}::jsonb)`,
  );
  if (rows.length === 0) return null;
  const byId = new Map(rows.map((r) => [r.stored_list, { createdAt: new Date(r.stored_at), reasons: r.stored_reasons }]));
  return entries.map((e) => byId.get(e.list.id) as Stored);
}

/**
 * Stores the list, its items (each item's reasons copied from its score row) and its
 * control_list.create event, which commit together, if the unit's exclusions are still at the
 * versions the list was selected against (storeListsIfCurrent), as one autocommit statement.
 * Returns the rows as stored, or null when
 * nothing was stored.
 */
async function writeSnapshot(
  database: Database,
  input: NewListInput,
  { selection, versions }: VersionedSelection,
  actor: Actor,
  requestId?: string,
): Promise<{ list: ControlListRow; items: ControlListItemRow[] } | null> {
  const params = { ...input.params, nEligible: selection.nEligible, nModel: selection.nModel, nExplore: selection.nExplore };
  const newList = { id: input.id, unit: input.unit, params, runId: input.runId, modelId: input.modelId, seed: input.seed, createdBy: actor.id };
  const picks = selection.picks.map(({ fileId, position, score, selectedBy, selectionProbability }) => ({
    fileId,
    position,
    score,
    selectedBy,
    selectionProbability,
  }));
  const event = auditEntry({
    actor,
    action: "control_list.create",
    target: input.id,
    details: { unit: input.unit, runId: input.runId, modelId: input.modelId, seed: input.seed, files: picks.length, ...params },
    requestId,
  });
  const entry: StoreEntry = { list: newList, items: picks, event };
  const stored = (await storeListsIfCurrent(database.db, input.unit, versions, [entry]))?.[0];
  if (!stored) return null;
  // The columns not written here hold their defaults: an open list, pending unassigned items.
  const list: ControlListRow = { ...newList, status: "open", createdAt: stored.createdAt, closedAt: null };
  const items: ControlListItemRow[] = picks.map((p, i) => ({
    listId: input.id,
    ...p,
    reasons: stored.reasons[i],
    status: "pending",
    assignedTo: null,
    outcomeId: null,
    claimedAt: null,
    startedAt: null,
    doneAt: null,
  }));
  return { list, items };
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

/** An item as a read hands it out (what the JSON and CSV views show). */
export type ControlListItemView = Pick<
  ControlListItemRow,
  "position" | "fileId" | "score" | "reasons" | "status" | "assignedTo" | "outcomeId" | "selectedBy" | "selectionProbability"
>;

/**
 * A list row and its items in position order, in one statement and one row: the items come as
 * one JSON array (parsed natively) rather than as joined rows that repeat the list's columns and
 * are mapped field by field, which was most of a read's CPU in the API.
 */
const listWithItems = preparedPerDb((db) =>
  db
    .select({
      list: controlLists,
      items: sql<ControlListItemView[] | null>`(
        select json_agg(json_build_object(
                 'position', i.position, 'fileId', i.file_id, 'score', i.score, 'reasons', i.reasons,
                 'status', i.status, 'assignedTo', i.assigned_to, 'outcomeId', i.outcome_id,
                 'selectedBy', i.selected_by, 'selectionProbability', i.selection_probability)
               order by i.position)
        from control_list_items i where i.list_id = ${controlLists.id})`,
    })
    .from(controlLists)
    .where(eq(controlLists.id, sql.placeholder("id")))
    .prepare("control_list_with_items"),
);

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
): Promise<{ list: ControlListRow; items: ControlListItemView[] }> {
  const [row] = await listWithItems(database.db).execute({ id });
  if (!row) throw notFound(`control list ${id}`);
  const { list } = row;
  authorize(list);
  const items = row.items ?? [];
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
