import { type Actor, assertUnitAccess, unitScope } from "../../../auth/actor.js";
import { addManualItem, recordItemOutcome, skipItem, summarizeControlList, transitionItem } from "../../../db/queries/control-list-items.js";
import { type ControlListItemView, type ControlListRow, getControlList, listControlLists } from "../../../db/queries/control-lists.js";
import { createControlList } from "../../../lists/create-list.js";
import { csvStream } from "../../../lists/csv-export.js";
import { type ItemView, itemsInViewOrder } from "../../../lists/inspector-view.js";
import { pullControlList } from "../../../lists/read-list.js";
import { createHash } from "node:crypto";
import type { Config } from "../../../config.js";
import type { Db } from "../../../db/client.js";
import { auditSigningKey } from "../../../db/queries/audit-checkpoints.js";
import { getCurrentSchema } from "../../../db/queries/feature-schemas.js";
import { fileAttributes } from "../../../db/queries/files.js";
import type { AppRouteHandler } from "../../types.js";
import type { AddItemRoute, ClaimRoute, CreateRoute, ListRoute, OutcomeRoute, ReadRoute, SkipRoute, StartRoute, SummaryRoute } from "./control-lists.routes.js";
import { type ItemExtras, toControlList, toControlListItem } from "./control-lists.schemas.js";
import { explainItems, unitRanks } from "../../../lists/explain-items.js";
import { reasonsText } from "../../reasons.js";

/**
 * Inspectors reach only lists of their units (403 otherwise); auditors and admins reach all. A
 * list's unit never changes, so this check before a change's own transaction cannot go stale.
 */
async function authorizeList(c: { get(key: "deps"): { database: { db: Db } } }, actor: Actor, id: string): Promise<void> {
  assertUnitAccess(actor, (await getControlList(c.get("deps").database.db, id)).unit);
}
const viewOf = (actor: Actor): ItemView => (actor.role === "inspector" ? "inspector" : "full");

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const body = c.req.valid("json");
  const actor = c.get("actor");
  assertUnitAccess(actor, body.unit);
  // The creation's audit event records the list handed out, so no separate read event here.
  const { list, items } = await createControlList(c.get("deps").database, body, actor, c.get("requestId"));
  const view = viewOf(actor);
  const shown = itemsInViewOrder(items, list, view, orderSecret(c.get("deps").config));
  const extras = await itemExtras(c.get("deps").database.db, list, shown, view);
  return c.json({ ...toControlList(list, view), items: shown.map((i) => toControlListItem(i, view, true, extras(i))) }, 201);
};

/** What a list's items show beside their stored fields: reasons in words, and (not for inspectors) the rank. */
async function itemExtras(db: Db, list: ControlListRow, items: ControlListItemView[], view: ItemView) {
  const [words, ranks] = await Promise.all([
    explainItems(db, list.modelId, items),
    view === "full" ? unitRanks(db, list, items.map((i) => i.fileId)) : new Map<string, { rank: number; of: number }>(),
  ]);
  return (item: ControlListItemView): ItemExtras => ({ explanation: words.get(item.fileId) ?? [], unitRank: ranks.get(item.fileId) });
}

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const q = c.req.valid("query");
  const actor = c.get("actor");
  if (q.unit) assertUnitAccess(actor, q.unit);
  const rows = await listControlLists(c.get("deps").database.db, {
    units: unitScope(actor),
    unit: q.unit,
    status: q.status,
    createdBy: q.mine === "true" ? actor.id : undefined,
    limit: q.limit,
  });
  return c.json({ items: rows.map((r) => ({ ...toControlList(r.list, viewOf(actor)), items: r.items, done: r.done })) }, 200);
};

/**
 * The server secret that keys an inspector's shuffle (services/lists/inspector-view.ts): derived
 * from the audit signing key, a secret that already lives outside the database and the API.
 */
export const orderSecret = (config: Config): Uint8Array =>
  createHash("sha256").update("cts-inspector-order").update(auditSigningKey(config).privateKey.export({ type: "pkcs8", format: "der" })).digest();

/** Attribute columns a CSV export adds when none are asked for. */
const DEFAULT_CSV_ATTRIBUTES = 8;

export const read: AppRouteHandler<ReadRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const query = c.req.valid("query");
  const { format } = query;
  const actor = c.get("actor");
  const csv = format === "csv" || (format === undefined && (c.req.header("accept") ?? "").includes("text/csv"));
  const { list, items } = await pullControlList(c.get("deps").database, id, actor, {
    action: csv ? "control_list.export" : "control_list.read",
    requestId: c.get("requestId"),
  });
  const view = viewOf(actor);
  const shown = itemsInViewOrder(items, list, view, orderSecret(c.get("deps").config));
  const { db } = c.get("deps").database;
  const extras = await itemExtras(db, list, shown, view);
  if (!csv) return c.json({ ...toControlList(list, view), items: shown.map((i) => toControlListItem(i, view, true, extras(i))) }, 200);
  const attributes = query.attributes ? query.attributes.split(",").filter(Boolean) : await defaultCsvAttributes(db);
  const { header, rows } = exportTable(list, shown, view, attributes, await fileAttributes(db, shown.map((i) => i.fileId)), extras);
  return c.body(csvStream(header, rows, { bom: query.bom === "true" }), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="control-list-${list.id}.csv"`,
  }) as never;
};

/**
 * A list's CSV export: every row says which list, unit, model and run it comes from (a sheet
 * copied around keeps its provenance), then the item as `view` may see it (scores rounded to 4
 * decimals, reasons as text), then the chosen file attributes.
 */
export function exportTable(
  list: ControlListRow,
  items: ControlListItemView[],
  view: ItemView,
  attributes: string[],
  values: Map<string, Record<string, unknown>>,
  extras: (item: ControlListItemView) => ItemExtras,
) {
  const provenance = [list.id, list.unit, list.modelId, list.runId, list.createdAt.toISOString()];
  const full = view === "full";
  const header = [
    ...["list_id", "unit", "model_id", "run_id", "list_created_at", "position", "file_id"],
    ...(full ? ["score"] : []),
    ...(full ? ["unit_rank"] : []),
    ...["status", "assigned_to", "reasons"],
    ...(full ? ["selected_by", "selection_probability"] : []),
    ...attributes,
  ];
  const rows = items.map((i) => [
    ...provenance,
    i.position,
    i.fileId,
    ...(full ? [i.score === null ? null : Math.round(i.score * 1e4) / 1e4, rankText(extras(i).unitRank)] : []),
    i.status,
    i.assignedTo ?? "",
    reasonsCell(i, view, extras(i)),
    ...(full ? [i.selectedBy, i.selectionProbability] : []),
    ...attributes.map((a) => csvValue(values.get(i.fileId)?.[a])),
  ]);
  return { header, rows };
}

/** "3 of 50000", or empty when the run's scores are gone. */
const rankText = (rank: ItemExtras["unitRank"]) => (rank ? `${rank.rank} of ${rank.of}` : "");

/** The reasons in words, separated by "; "; the stored form when the model's words are unavailable. */
const reasonsCell = (item: ControlListItemView, view: ItemView, extras: ItemExtras) =>
  extras.explanation?.length ? extras.explanation.map((r) => r.text).join("; ") : reasonsText(item.reasons, view);

const csvValue = (value: unknown): string | number | null =>
  value === undefined || value === null ? null : typeof value === "number" || typeof value === "string" ? value : JSON.stringify(value);

/** The schema's first features and segments: the columns an export shows when none are asked for. */
export async function defaultCsvAttributes(db: Db): Promise<string[]> {
  const schema = await getCurrentSchema(db);
  return (schema?.definition.attributes ?? [])
    .filter((a) => a.role === "feature" || a.role === "segment")
    .slice(0, DEFAULT_CSV_ATTRIBUTES)
    .map((a) => a.name);
}

export const summary: AppRouteHandler<SummaryRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { db } = c.get("deps").database;
  const list = await getControlList(db, id);
  const actor = c.get("actor");
  assertUnitAccess(actor, list.unit);
  const { total, model, exploration, manual } = await summarizeControlList(db, id);
  // The split by selection route is what blind exploration hides from inspectors.
  return c.json({ id, status: list.status, total, manual, ...(viewOf(actor) === "full" ? { model, exploration } : {}) }, 200);
};

export const claim: AppRouteHandler<ClaimRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const actor = c.get("actor");
  await authorizeList(c, actor, id);
  const item = await transitionItem(c.get("deps").database.db, { listId: id, fileId, to: "claim" }, actor, c.get("requestId"));
  return c.json(toControlListItem(item, viewOf(actor), viewOf(actor) === "full"), 200);
};

export const start: AppRouteHandler<StartRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const actor = c.get("actor");
  await authorizeList(c, actor, id);
  const item = await transitionItem(c.get("deps").database.db, { listId: id, fileId, to: "start" }, actor, c.get("requestId"));
  return c.json(toControlListItem(item, viewOf(actor), viewOf(actor) === "full"), 200);
};

export const outcome: AppRouteHandler<OutcomeRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const body = c.req.valid("json");
  const actor = c.get("actor");
  await authorizeList(c, actor, id);
  const result = await recordItemOutcome(c.get("deps").database.db, { listId: id, fileId, ...body }, actor, c.get("requestId"));
  return c.json({ item: toControlListItem(result.item, viewOf(actor), viewOf(actor) === "full"), outcomeId: result.outcomeId, listClosed: result.listClosed }, 201);
};

export const addItem: AppRouteHandler<AddItemRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { fileId, reason } = c.req.valid("json");
  const actor = c.get("actor");
  await authorizeList(c, actor, id);
  const item = await addManualItem(c.get("deps").database.db, { listId: id, fileId, note: reason }, actor, c.get("requestId"));
  return c.json(toControlListItem(item, viewOf(actor), viewOf(actor) === "full"), 201);
};

export const skip: AppRouteHandler<SkipRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const { reason } = c.req.valid("json");
  const actor = c.get("actor");
  await authorizeList(c, actor, id);
  const result = await skipItem(c.get("deps").database.db, { listId: id, fileId, note: reason }, actor, c.get("requestId"));
  return c.json({ item: toControlListItem(result.item, viewOf(actor), viewOf(actor) === "full"), listClosed: result.listClosed }, 200);
};
