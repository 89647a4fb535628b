import { z } from "@hono/zod-openapi";
import { type Actor, assertUnitAccess } from "../../../auth/actor.js";
import { zodFieldErrors } from "../../../api/problem.js";
import { fileAttributes } from "../../../db/queries/files.js";
import { DomainError, notFound } from "../../../errors.js";
import { fmtDateTime, fmtInt, fmtPercent, readerLanguage } from "../../format.js";
import { formText } from "../../guard.js";
import * as lists from "../../lists.js";
import { actorOf, type WebContext } from "../../session.js";
import { ListRow, OutcomeForm, type RowData } from "./list-row.js";
import { AddItemForm, type FormState } from "./item-forms.js";
import { and, eq } from "drizzle-orm";
import { controlListItems } from "../../../db/schema/index.js";
import { scrollBox } from "../../scroll-box.js";
import { ListFairnessLoader } from "../officer/selection-fairness.js";

/** Columns of file attributes a list page shows (the export has more). */
const PAGE_ATTRIBUTES = 4;
const ListId = z.string().uuid();

export const viewOf = (actor: Actor): lists.ItemView => (actor.role === "inspector" ? "inspector" : "full");

export function listIdOf(c: WebContext): string {
  const id = c.req.param("id") ?? "";
  if (!ListId.safeParse(id).success) throw notFound(`control list ${id}`);
  return id;
}

type Summary = Awaited<ReturnType<typeof lists.summarizeControlList>>["total"];

/** Progress of the list; sent again out of band after each outcome so the figures follow. */
export function Progress({ s, oob }: { s: Summary; oob?: boolean }) {
  return (
    <section id="progress" class="card" aria-labelledby="progress-title" aria-live="polite" hx-swap-oob={oob ? "true" : undefined}>
      <h2 id="progress-title">Progress</h2>
      <progress max={s.items} value={s.done} aria-label="Done"></progress>{" "}
      <strong data-testid="list-progress">
        {fmtInt(s.done)} of {fmtInt(s.items)} done
      </strong>{" "}
      · {fmtInt(s.hits)} irregularities found so far
      {s.hitRate !== null && ` (${fmtPercent(s.hitRate)} of the controls done)`}
    </section>
  );
}

/** The list page; `add` is the add-by-hand form when it came back refused (with its status). */
export async function showList(c: WebContext, add?: FormState, status: 200 | 404 | 409 | 422 = 200) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const { database, config } = c.get("deps");
  const { list, items } = await lists.readControlList(database, id, actor, { action: "control_list.read", requestId: c.get("requestId") });
  const view = viewOf(actor);
  const shown = lists.itemsInViewOrder(items, list, view, lists.orderSecret(config));
  const [allAttributes, values, { total }, extras] = await Promise.all([
    lists.defaultCsvAttributes(database.db),
    lists.attributesOf(database.db, shown),
    lists.summarizeControlList(database.db, id),
    lists.itemExtras(database.db, list, shown, view, readerLanguage()),
  ]);
  const attributes = allAttributes.slice(0, PAGE_ATTRIBUTES);
  const canWork = actor.role === "inspector" && list.status === "open";
  const csrf = c.get("session")?.csrfToken ?? "";
  const title = `Control list · ${list.unit}`;
  c.status(status);
  return c.render(
    <>
      <h1>{title}</h1>
      <p class="muted">
        Pulled {fmtDateTime(list.createdAt)} by {list.createdBy} · {list.status === "open" ? "open" : `closed ${fmtDateTime(list.closedAt)}`}
      </p>
      <Progress s={total} />
      <p>
        <a class="button secondary" href={`/app/lists/${id}/export.csv`} download>
          Download as CSV
        </a>
      </p>
      <div {...scrollBox({ label: "Files to control" })}>
        <table aria-label="Files to control">
          <thead>
            <tr>
              <th scope="col" class="num">#</th>
              <th scope="col">File</th>
              {attributes.map((a) => (
                <th scope="col">{a.replaceAll("_", " ")}</th>
              ))}
              <th scope="col">Why this file</th>
              {view === "full" && (
                <>
                  <th scope="col" class="num">Score</th>
                  <th scope="col">Picked by</th>
                </>
              )}
              <th scope="col">Status</th>
              {canWork && <th scope="col">Work</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((item) => (
              <ListRow
                d={{ listId: id, item, shownAt: item.position, view, attributes, values: values.get(item.fileId), extras: extras(item), canWork, csrf }}
              />
            ))}
          </tbody>
        </table>
      </div>
      {canWork && <AddItemForm listId={id} csrf={csrf} form={add} />}
      {/* Auditors' and admins' view: the selection's fairness, read apart (it reads the unit's scores); never shown to inspectors. */}
      {view === "full" && <ListFairnessLoader listId={id} />}
    </>,
    { title },
  );
}

/** The outcome form of one item: swapped into its row by htmx, or a page of its own without JavaScript. */
export async function outcomeForm(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const fileId = c.req.param("fileId") ?? "";
  const { db } = c.get("deps").database;
  const list = await lists.getControlList(db, id);
  assertUnitAccess(actor, list.unit);
  const [onList] = await db
    .select({ status: controlListItems.status })
    .from(controlListItems)
    .where(and(eq(controlListItems.listId, id), eq(controlListItems.fileId, fileId)))
    .limit(1);
  if (!onList || list.status !== "open") throw notFound(`file ${fileId} on an open control list ${id}`);
  const shownAt = Math.max(1, Number.parseInt(c.req.query("shownAt") ?? "1", 10) || 1);
  const form = <OutcomeForm d={{ listId: id, shownAt, csrf: c.get("session")?.csrfToken ?? "", item: { fileId } }} />;
  if (c.req.header("hx-request")) return c.html(form);
  return c.render(
    <>
      <h1>Outcome of file {fileId}</h1>
      {form}
      <p>
        <a href={`/app/lists/${id}#item-${shownAt}`}>Back to the list</a>
      </p>
    </>,
    { title: `Outcome of ${fileId}` },
  );
}

/** The row again after a change (htmx), or back to the list page (plain form post). */
export async function rowAnswer(c: WebContext, d: Omit<RowData, "attributes" | "values" | "csrf" | "extras">, withProgress: boolean, status: 200 | 409 | 422 = 200) {
  if (!c.req.header("hx-request") && status === 200) return c.redirect(`/app/lists/${d.listId}#item-${d.shownAt}`, 303);
  const { db } = c.get("deps").database;
  const list = await lists.getControlList(db, d.listId);
  const [allAttributes, values, progress, extras] = await Promise.all([
    lists.defaultCsvAttributes(db),
    fileAttributes(db, [d.item.fileId]),
    withProgress ? lists.summarizeControlList(db, d.listId).then((s) => s.total) : null,
    lists.itemExtras(db, list, [d.item], d.view, readerLanguage()),
  ]);
  const attributes = allAttributes.slice(0, PAGE_ATTRIBUTES);
  const row = <ListRow d={{ ...d, attributes, values: values.get(d.item.fileId), extras: extras(d.item), csrf: c.get("session")?.csrfToken ?? "" }} />;
  if (!c.req.header("hx-request")) {
    c.status(status);
    return c.render(<table>{row}</table>, { title: "Control list" });
  }
  // To htmx a refused form is still the row to show (with its errors): 200, so htmx swaps it in
  // (it leaves 4xx answers unswapped) and the browser logs no failed request.
  c.header("x-form-status", String(status));
  return c.html(
    <>
      {row}
      {progress && <Progress s={progress} oob />}
    </>,
  );
}

export const shownAtOf = (form: Record<string, unknown>) => Math.max(1, Number.parseInt(formText(form, "shownAt"), 10) || 1);

export async function claimItem(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const fileId = c.req.param("fileId") ?? "";
  const form = await c.req.parseBody();
  const item = await lists.claimItem(c.get("deps").database.db, id, fileId, actor, c.get("requestId"));
  return rowAnswer(c, { listId: id, item, shownAt: shownAtOf(form), view: viewOf(actor), canWork: true }, false);
}

/** An outcome from the form: the API's body schema (same messages), the same query and audit event. */
export async function recordOutcome(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const fileId = c.req.param("fileId") ?? "";
  const form = await c.req.parseBody();
  const values = Object.fromEntries(["outcome", "amount", "controlledAt", "notes"].map((k) => [k, formText(form, k)]));
  const shownAt = shownAtOf(form);
  const { db } = c.get("deps").database;
  const parsed = lists.RecordOutcomeBody.safeParse({
    outcome: values.outcome === "" ? undefined : Number(values.outcome),
    amount: values.amount === "" ? undefined : Number.isNaN(Number(values.amount)) ? values.amount : Number(values.amount),
    controlledAt: values.controlledAt || undefined,
    notes: values.notes || undefined,
  });
  const current = async () => {
    const { list, items } = await lists.readControlList(c.get("deps").database, id, actor, { action: "control_list.read", requestId: c.get("requestId") });
    const item = items.find((i) => i.fileId === fileId);
    if (!item || list.status !== "open") throw notFound(`file ${fileId} on an open control list ${id}`);
    return item;
  };
  const again = async (errors: { path: string; message: string }[], notice: string | undefined, status: 409 | 422) =>
    rowAnswer(c, { listId: id, item: await current(), shownAt, view: viewOf(actor), canWork: true, form: { values, errors, notice } }, false, status);
  if (!parsed.success) {
    // The API's messages, but for the two a form makes likely, said for people.
    const errors = zodFieldErrors(parsed.error).map((e) =>
      e.path === "outcome"
        ? { ...e, message: "Choose what the control found." }
        : e.path === "amount" && Number.isNaN(Number(values.amount))
          ? { ...e, message: "Write the amount as a number, for example 1250.50." }
          : e,
    );
    return again(errors, undefined, 422);
  }
  try {
    const result = await lists.recordOutcome(db, { listId: id, fileId, ...parsed.data }, actor, c.get("requestId"));
    return rowAnswer(c, { listId: id, item: result.item, shownAt, view: viewOf(actor), canWork: !result.listClosed }, true);
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return again([], error.message, 409);
    throw error;
  }
}

/** The CSV export, exactly the API's (same columns, same blinding, `control_list.export` event). */
export async function exportList(c: WebContext) {
  const actor = actorOf(c);
  const id = listIdOf(c);
  const { database, config } = c.get("deps");
  const { list, items } = await lists.readControlList(database, id, actor, { action: "control_list.export", requestId: c.get("requestId") });
  const view = viewOf(actor);
  const shown = lists.itemsInViewOrder(items, list, view, lists.orderSecret(config));
  const attributes = await lists.defaultCsvAttributes(database.db);
  const [values, extras] = await Promise.all([lists.attributesOf(database.db, shown), lists.itemExtras(database.db, list, shown, view)]);
  const { header, rows } = lists.exportTable(list, shown, view, attributes, values, extras);
  return c.body(lists.csvStream(header, rows, { bom: true }), 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="control-list-${list.id}.csv"`,
  });
}
