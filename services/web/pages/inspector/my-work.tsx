import { assertUnitAccess, unitScope } from "../../../auth/actor.js";
import * as routes from "../../../api/routes/control-lists/control-lists.routes.js";
import { zodFieldErrors } from "../../../api/problem.js";
import { DomainError, type FieldError } from "../../../errors.js";
import { fmtDateTime, fmtInt, fmtPercent } from "../../format.js";
import { formText } from "../../guard.js";
import { CreateControlListBody, createControlList, listControlLists, MAX_CAPACITY, summarizeControlList } from "../../lists.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

/** A unit's default capacity: the size of its last list (what the team handled last time), else 20. */
const FALLBACK_CAPACITY = 20;

interface PullForm {
  unit?: string;
  capacity?: string;
  errors?: FieldError[];
  notice?: string;
}

async function loadLists(c: WebContext, unit: string | undefined) {
  const actor = actorOf(c);
  const { db } = c.get("deps").database;
  if (unit) assertUnitAccess(actor, unit);
  const rows = await listControlLists(db, { units: unitScope(actor), unit, limit: 200 });
  const shown = actor.role === "inspector" ? rows.filter((r) => r.list.status === "open") : rows;
  const summaries = await Promise.all(shown.map((r) => summarizeControlList(db, r.list.id)));
  const defaults = new Map<string, number>();
  for (const r of rows) {
    const capacity = (r.list.params as { capacity?: number }).capacity;
    if (!defaults.has(r.list.unit) && capacity) defaults.set(r.list.unit, capacity);
  }
  return { shown: shown.map((r, i) => ({ ...r, summary: summaries[i].total })), defaults };
}

const fieldError = (errors: FieldError[] | undefined, path: string) => errors?.find((e) => e.path === path)?.message;

function PullList({ units, defaults, form, csrf }: { units: string[]; defaults: Map<string, number>; form: PullForm; csrf: string }) {
  const unit = form.unit ?? units[0];
  const unitError = fieldError(form.errors, "unit");
  const capacityError = fieldError(form.errors, "capacity");
  return (
    <section class="card" aria-labelledby="pull-title">
      <h2 id="pull-title">Pull a new list</h2>
      {form.notice && (
        <p class="notice bad" role="alert">
          {form.notice}
        </p>
      )}
      <form method="post" action="/app/lists" class="row">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <div>
          <label for="unit">Unit</label>
          <select id="unit" name="unit" aria-invalid={unitError ? "true" : undefined} aria-describedby={unitError ? "unit-error" : undefined}>
            {units.map((u) => (
              <option value={u} selected={u === unit}>
                {u} (usually {fmtInt(defaults.get(u) ?? FALLBACK_CAPACITY)})
              </option>
            ))}
          </select>
          {unitError && <p id="unit-error" class="error">{unitError}</p>}
        </div>
        <div>
          <label for="capacity">How many controls can you do?</label>
          <input
            id="capacity"
            name="capacity"
            type="number"
            min="1"
            max={String(MAX_CAPACITY)}
            required
            value={form.capacity ?? String(defaults.get(unit ?? "") ?? FALLBACK_CAPACITY)}
            aria-invalid={capacityError ? "true" : undefined}
            aria-describedby={capacityError ? "capacity-error" : undefined}
          />
          {capacityError && <p id="capacity-error" class="error">{capacityError}</p>}
        </div>
        <div>
          <button type="submit">Pull list</button>
        </div>
      </form>
    </section>
  );
}

export async function showLists(c: WebContext, form: PullForm = {}) {
  const actor = actorOf(c);
  const unit = c.req.query("unit") || undefined;
  const { shown, defaults } = await loadLists(c, unit);
  const inspector = actor.role === "inspector";
  const title = inspector ? "My work" : "Control lists";
  if (form.errors || form.notice) c.status(form.errors ? 422 : 409);
  return c.render(
    <>
      <h1>{title}</h1>
      {inspector && <PullList units={actor.units} defaults={defaults} form={form} csrf={c.get("session")?.csrfToken ?? ""} />}
      <h2 id="lists-title">{inspector ? "Open lists of your units" : "Lists, newest first"}</h2>
      {shown.length === 0 ? (
        <p>No open list. Pull one above when you are ready for the next controls.</p>
      ) : (
        <div {...scrollBox({ labelledBy: "lists-title" })}>
          <table aria-labelledby="lists-title">
            <thead>
              <tr>
                <th scope="col">List</th>
                <th scope="col">Unit</th>
                <th scope="col">Progress</th>
                <th scope="col" class="num">Hits so far</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ list, summary }) => (
                <tr>
                  <td>
                    <a href={`/app/lists/${list.id}`}>Pulled {fmtDateTime(list.createdAt)}</a>
                    <div class="muted">by {list.createdBy}</div>
                  </td>
                  <td>{list.unit}</td>
                  <td>
                    <progress max={summary.items} value={summary.done} aria-label={`${summary.done} of ${summary.items} done`}></progress>{" "}
                    <span data-testid="progress">
                      {fmtInt(summary.done)} / {fmtInt(summary.items)} done
                    </span>
                  </td>
                  <td class="num">
                    {fmtInt(summary.hits)}
                    {summary.hitRate !== null && <span class="muted"> ({fmtPercent(summary.hitRate)})</span>}
                  </td>
                  <td>
                    <span class={`status status-${list.status}`}>{list.status}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>,
    { title },
  );
}

/** Pull a list: the API's body schema, unit check, selection and audit event, from a form. */
export async function pullList(c: WebContext) {
  const actor = actorOf(c);
  const form = await c.req.parseBody();
  const values = { unit: formText(form, "unit"), capacity: formText(form, "capacity") };
  const parsed = CreateControlListBody.safeParse({ unit: values.unit, capacity: values.capacity === "" ? undefined : Number(values.capacity) });
  if (!parsed.success) return showLists(c, { ...values, errors: zodFieldErrors(parsed.error) });
  assertUnitAccess(actor, parsed.data.unit);
  try {
    const { list } = await createControlList(c.get("deps").database, parsed.data, actor, c.get("requestId"));
    return c.redirect(`/app/lists/${list.id}`, 303);
  } catch (error) {
    if (error instanceof DomainError && (error.code === "conflict" || error.code === "invalid")) {
      return showLists(c, { ...values, errors: error.errors, notice: error.errors ? undefined : error.message });
    }
    throw error;
  }
}

export const listRoles = { read: routes.list, create: routes.create };
