import { type Actor, assertUnitAccess, unitScope } from "../../../auth/actor.js";
import { addManualItem, recordItemOutcome, skipItem, summarizeControlList, transitionItem } from "../../../db/queries/control-list-items.js";
import { getControlList, listControlLists } from "../../../db/queries/control-lists.js";
import { createControlList } from "../../../lists/create-list.js";
import { csvStream, defaultCsvAttributes, exportTable } from "../../../lists/csv-export.js";
import { type ItemView, itemsInViewOrder, orderSecret } from "../../../lists/inspector-view.js";
import { pullControlList } from "../../../lists/read-list.js";
import type { Db } from "../../../db/client.js";
import type { AppRouteHandler } from "../../types.js";
import type { FairnessRoute, AddItemRoute, ClaimRoute, CreateRoute, ListRoute, OutcomeRoute, ReadRoute, SkipRoute, StartRoute, SummaryRoute } from "./control-lists.routes.js";
import { toControlList, toControlListItem } from "./control-lists.schemas.js";
import { attributesOf, itemExtras } from "../../../lists/explain-items.js";
import { readListFairness } from "../../../db/queries/fairness.js";

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
  const { header, rows } = exportTable(list, shown, view, attributes, await attributesOf(db, shown), extras);
  return c.body(csvStream(header, rows, { bom: query.bom === "true" }), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="control-list-${list.id}.csv"`,
  }) as never;
};

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

export const fairness: AppRouteHandler<FairnessRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { reference } = c.req.valid("query");
  const { database } = c.get("deps");
  const actor = c.get("actor");
  const list = await getControlList(database.db, id);
  assertUnitAccess(actor, list.unit);
  const result = await readListFairness(database, list, { reference }, actor, { requestId: c.get("requestId") });
  return c.json({ ...result, population: "control-list" as const }, 200);
};
