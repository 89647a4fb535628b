import { and, eq } from "drizzle-orm";
import { assertUnitAccess } from "../../../auth/actor.js";
import { zodFieldErrors } from "../../../api/problem.js";
import { controlListItems } from "../../../db/schema/index.js";
import { DomainError, notFound } from "../../../errors.js";
import { formText } from "../../guard.js";
import * as lists from "../../lists.js";
import { actorOf, type WebContext } from "../../session.js";
import { type FormState, REASON_MESSAGE, SkipForm } from "./item-forms.js";
import { listIdOf, rowAnswer, showList, shownAtOf, viewOf } from "./list-page.js";

/**
 * Skipping an item and adding a file by hand, from the list page: the API's body schemas, the same
 * unit check before the change (lists.ts) and the same queries, so the audit events
 * (`control_list.item.skip`, `control_list.item.add`) are the API's.
 */

/** An item of a list this actor reaches (403 for another unit's list, 404 when the file is not on it). */
async function itemOf(c: WebContext, listId: string, fileId: string) {
  const { db } = c.get("deps").database;
  const list = await lists.getControlList(db, listId);
  assertUnitAccess(actorOf(c), list.unit);
  const [item] = await db
    .select()
    .from(controlListItems)
    .where(and(eq(controlListItems.listId, listId), eq(controlListItems.fileId, fileId)))
    .limit(1);
  if (!item) throw notFound(`file ${fileId} on control list ${listId}`);
  return { list, item };
}

/** The API's messages, but the reason's said for people. */
const formErrors = (error: Parameters<typeof zodFieldErrors>[0]) =>
  zodFieldErrors(error).map((e) => (e.path === "reason" ? { ...e, message: REASON_MESSAGE } : e));

/** The skip form of one item: swapped into its row by htmx, or a page of its own without JavaScript. */
export async function skipForm(c: WebContext) {
  const id = listIdOf(c);
  const fileId = c.req.param("fileId") ?? "";
  const { list, item } = await itemOf(c, id, fileId);
  if (list.status !== "open" || item.status === "done" || item.status === "skipped") throw notFound(`file ${fileId} to do on an open control list ${id}`);
  const shownAt = Math.max(1, Number.parseInt(c.req.query("shownAt") ?? "1", 10) || 1);
  const form = <SkipForm d={{ listId: id, fileId, shownAt, csrf: c.get("session")?.csrfToken ?? "" }} />;
  if (c.req.header("hx-request")) return c.html(form);
  return c.render(
    <>
      <h1>Skip file {fileId}</h1>
      {form}
      <p>
        <a href={`/app/lists/${id}#item-${shownAt}`}>Back to the list</a>
      </p>
    </>,
    { title: `Skip ${fileId}` },
  );
}

export async function skipItem(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const fileId = c.req.param("fileId") ?? "";
  const form = await c.req.parseBody();
  const values = { reason: formText(form, "reason") };
  const shownAt = shownAtOf(form);
  const again = async (skip: FormState, status: 409 | 422) =>
    rowAnswer(c, { listId: id, item: (await itemOf(c, id, fileId)).item, shownAt, view: viewOf(actor), canWork: true, skip }, false, status);
  const parsed = lists.SkipItemBody.safeParse(values);
  if (!parsed.success) return again({ values, errors: formErrors(parsed.error) }, 422);
  try {
    const result = await lists.skip(c.get("deps").database.db, { listId: id, fileId, note: parsed.data.reason }, actor, c.get("requestId"));
    return rowAnswer(c, { listId: id, item: result.item, shownAt, view: viewOf(actor), canWork: !result.listClosed }, true);
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return again({ values, errors: [], notice: error.message }, 409);
    throw error;
  }
}

/** Adds a file by hand; refused, the list page comes back with the form, its errors and the real status. */
export async function addItem(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const form = await c.req.parseBody();
  const values = { fileId: formText(form, "fileId"), reason: formText(form, "reason") };
  const parsed = lists.AddItemBody.safeParse(values);
  if (!parsed.success) return showList(c, { values, errors: formErrors(parsed.error) }, 422);
  try {
    const item = await lists.addByHand(c.get("deps").database.db, { listId: id, fileId: parsed.data.fileId, note: parsed.data.reason }, actor, c.get("requestId"));
    return c.redirect(`/app/lists/${id}#item-${item.position}`, 303);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Another unit's file is "not found", as in the API: the page says no more than that.
    if (error.code === "not_found") return showList(c, { values, errors: [{ path: "fileId", message: `There is no file ${values.fileId} in this list's unit.` }] }, 404);
    if (error.code === "conflict") return showList(c, { values, errors: [], notice: `${error.message}.` }, 409);
    throw error;
  }
}
