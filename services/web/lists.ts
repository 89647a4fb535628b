/**
 * The one place the web app reaches the control-list code (queries, selection, the inspector's
 * view, the CSV export). Those modules are being reorganised; a rename is a fix here only. The
 * pages call the same functions as the API's handlers, with the same guards and audit events.
 */
export { recordItemOutcome, summarizeControlList, transitionItem } from "../db/queries/control-list-items.js";
export { type ControlListItemView, type ControlListRow, getControlList, listControlLists, readControlList } from "../db/queries/control-lists.js";
export { createControlList, MAX_CAPACITY } from "../lists/create-list.js";
export { csvStream } from "../lists/csv-export.js";
export { type ItemView, itemsInViewOrder } from "../lists/inspector-view.js";
export { defaultCsvAttributes, exportTable, orderSecret } from "../api/routes/control-lists/control-lists.handlers.js";
export { CreateControlListBody, RecordOutcomeBody, toControlListItem } from "../api/routes/control-lists/control-lists.schemas.js";
