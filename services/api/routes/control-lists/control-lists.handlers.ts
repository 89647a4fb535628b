import { type Actor, assertUnitAccess, unitScope } from "../../../auth/actor.js";
import { recordItemOutcome, summarizeControlList, transitionItem } from "../../../db/queries/control-list-items.js";
import { type ControlListRow, getControlList, listControlLists, readControlList } from "../../../db/queries/control-lists.js";
import { createControlList } from "../../../lists/create-list.js";
import { csvStream } from "../../../lists/csv-export.js";
import { type ItemView, itemsInViewOrder } from "../../../lists/inspector-view.js";
import type { AppRouteHandler } from "../../types.js";
import type { ClaimRoute, CreateRoute, ListRoute, OutcomeRoute, ReadRoute, StartRoute, SummaryRoute } from "./control-lists.routes.js";
import { toControlList, toControlListItem } from "./control-lists.schemas.js";
import { reasonsText } from "../../reasons.js";

/** Inspectors reach only lists of their units (403 otherwise); auditors and admins reach all. */
const unitGuard = (actor: Actor) => (list: ControlListRow) => assertUnitAccess(actor, list.unit);
const viewOf = (actor: Actor): ItemView => (actor.role === "inspector" ? "inspector" : "full");

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const body = c.req.valid("json");
  const actor = c.get("actor");
  assertUnitAccess(actor, body.unit);
  // The creation's audit event records the list handed out, so no separate read event here.
  const { list, items } = await createControlList(c.get("deps").database, body, actor, c.get("requestId"));
  const view = viewOf(actor);
  return c.json({ ...toControlList(list), items: itemsInViewOrder(items, list, view).map((i) => toControlListItem(i, view)) }, 201);
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
  return c.json({ items: rows.map((r) => ({ ...toControlList(r.list), items: r.items, done: r.done })) }, 200);
};

const CSV_HEADER = ["position", "file_id", "score", "status", "assigned_to", "reasons"];

export const read: AppRouteHandler<ReadRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { format } = c.req.valid("query");
  const actor = c.get("actor");
  const csv = format === "csv" || (format === undefined && (c.req.header("accept") ?? "").includes("text/csv"));
  const { list, items } = await readControlList(c.get("deps").database, id, unitGuard(actor), actor, {
    action: csv ? "control_list.export" : "control_list.read",
    requestId: c.get("requestId"),
  });
  const view = viewOf(actor);
  const shown = itemsInViewOrder(items, list, view);
  if (!csv) return c.json({ ...toControlList(list), items: shown.map((i) => toControlListItem(i, view)) }, 200);
  const header = view === "full" ? [...CSV_HEADER, "selected_by", "selection_probability"] : CSV_HEADER.filter((h) => h !== "score");
  const rows = shown.map((i) =>
    view === "full"
      ? [i.position, i.fileId, i.score, i.status, i.assignedTo ?? "", reasonsText(i.reasons), i.selectedBy, i.selectionProbability]
      : [i.position, i.fileId, i.status, i.assignedTo ?? "", reasonsText(i.reasons, "inspector")],
  );
  return c.body(csvStream(header, rows), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="control-list-${list.id}.csv"`,
  }) as never;
};

export const summary: AppRouteHandler<SummaryRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { db } = c.get("deps").database;
  const list = await getControlList(db, id);
  const actor = c.get("actor");
  unitGuard(actor)(list);
  const { total, model, exploration } = await summarizeControlList(db, id);
  // The split by selection route is what blind exploration hides from inspectors.
  return c.json({ id, status: list.status, total, ...(viewOf(actor) === "full" ? { model, exploration } : {}) }, 200);
};

export const claim: AppRouteHandler<ClaimRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const actor = c.get("actor");
  const item = await transitionItem(c.get("deps").database.db, { listId: id, fileId, to: "claim" }, unitGuard(actor), actor, c.get("requestId"));
  return c.json(toControlListItem(item, viewOf(actor), viewOf(actor) === "full"), 200);
};

export const start: AppRouteHandler<StartRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const actor = c.get("actor");
  const item = await transitionItem(c.get("deps").database.db, { listId: id, fileId, to: "start" }, unitGuard(actor), actor, c.get("requestId"));
  return c.json(toControlListItem(item, viewOf(actor), viewOf(actor) === "full"), 200);
};

export const outcome: AppRouteHandler<OutcomeRoute> = async (c) => {
  const { id, fileId } = c.req.valid("param");
  const body = c.req.valid("json");
  const actor = c.get("actor");
  const result = await recordItemOutcome(c.get("deps").database.db, { listId: id, fileId, ...body }, unitGuard(actor), actor, c.get("requestId"));
  return c.json({ item: toControlListItem(result.item, viewOf(actor), viewOf(actor) === "full"), outcomeId: result.outcomeId, listClosed: result.listClosed }, 201);
};
