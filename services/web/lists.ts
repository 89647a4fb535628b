import { type Actor, assertUnitAccess } from "../auth/actor.js";
import type { Db } from "../db/client.js";
import { addManualItem, type OutcomeInput, recordItemOutcome, skipItem, transitionItem } from "../db/queries/control-list-items.js";
import { getControlList } from "../db/queries/control-lists.js";

/**
 * The one place the web app reaches the control-list code (queries, selection, the inspector's
 * view, reasons in words, the CSV export). Those modules move as the lists evolve; a rename is a
 * fix here only. The pages call the same functions as the API's handlers, with the same unit
 * checks and audit events.
 */
export { summarizeControlList } from "../db/queries/control-list-items.js";
export { type ControlListItemView, type ControlListRow, getControlList, listControlLists } from "../db/queries/control-lists.js";
export { createControlList, MAX_CAPACITY } from "../lists/create-list.js";
export { csvStream, defaultCsvAttributes, exportTable } from "../lists/csv-export.js";
export { attributesOf, type ItemExtras, itemExtras } from "../lists/explain-items.js";
export { type ItemView, itemsInViewOrder, orderSecret } from "../lists/inspector-view.js";
/** A list and its items for an actor who reaches its unit (403 otherwise), with its read or export event. */
export { pullControlList as readControlList } from "../lists/read-list.js";
export { AddItemBody, CreateControlListBody, RecordOutcomeBody, SkipItemBody } from "../api/routes/control-lists/control-lists.schemas.js";

/** As the API's routes do: the list's unit is checked before the change's own transaction (it never changes). */
async function authorize(db: Db, actor: Actor, listId: string): Promise<void> {
  assertUnitAccess(actor, (await getControlList(db, listId)).unit);
}

export async function claimItem(db: Db, listId: string, fileId: string, actor: Actor, requestId?: string) {
  await authorize(db, actor, listId);
  return transitionItem(db, { listId, fileId, to: "claim" }, actor, requestId);
}

export async function recordOutcome(db: Db, input: OutcomeInput, actor: Actor, requestId?: string) {
  await authorize(db, actor, input.listId);
  return recordItemOutcome(db, input, actor, requestId);
}

/** POST /v1/control-lists/{id}/items/{fileId}/skip: the reason is kept on the item and in the event. */
export async function skip(db: Db, params: { listId: string; fileId: string; note: string }, actor: Actor, requestId?: string) {
  await authorize(db, actor, params.listId);
  return skipItem(db, params, actor, requestId);
}

/** POST /v1/control-lists/{id}/items: a file of the list's unit added by hand, last on the list. */
export async function addByHand(db: Db, params: { listId: string; fileId: string; note: string }, actor: Actor, requestId?: string) {
  await authorize(db, actor, params.listId);
  return addManualItem(db, params, actor, requestId);
}
