/**
 * The one place the web app reaches the control-list code (queries, selection, the inspector's
 * view, the CSV export). The pages call the same functions as the API's handlers, with the same
 * guards and audit events; the item changes take the page's unit guard first, as the API's routes do.
 */
import type { Actor } from "../auth/actor.js";
import type { Database, Db } from "../db/client.js";
import * as itemChanges from "../db/queries/control-list-items.js";
import { type ControlListRow, getControlList } from "../db/queries/control-lists.js";
import { pullControlList } from "../lists/read-list.js";

export { summarizeControlList } from "../db/queries/control-list-items.js";
export { type ControlListItemView, type ControlListRow, getControlList, listControlLists } from "../db/queries/control-lists.js";
export { createControlList, MAX_CAPACITY } from "../lists/create-list.js";
export { csvStream, defaultCsvAttributes, exportTable } from "../lists/csv-export.js";
export { itemExtras } from "../lists/explain-items.js";
export { type ItemView, itemsInViewOrder, orderSecret } from "../lists/inspector-view.js";
export { CreateControlListBody, RecordOutcomeBody, toControlListItem } from "../api/routes/control-lists/control-lists.schemas.js";

type Guard = (list: ControlListRow) => void;

/** A list pulled for the page: the unit check and the read or export event of pullControlList. */
export const readControlList = (database: Database, id: string, _guard: Guard, actor: Actor, audit: Parameters<typeof pullControlList>[3]) =>
  pullControlList(database, id, actor, audit);

export async function transitionItem(db: Db, params: Parameters<typeof itemChanges.transitionItem>[1], guard: Guard, actor: Actor, requestId?: string) {
  guard(await getControlList(db, params.listId));
  return itemChanges.transitionItem(db, params, actor, requestId);
}

export async function recordItemOutcome(db: Db, input: itemChanges.OutcomeInput, guard: Guard, actor: Actor, requestId?: string) {
  guard(await getControlList(db, input.listId));
  return itemChanges.recordItemOutcome(db, input, actor, requestId);
}
