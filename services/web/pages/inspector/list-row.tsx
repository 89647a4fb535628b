import { blindReasons, expandReasons } from "../../../api/reasons.js";
import { fmtInt, fmtPercent, fmtValue } from "../../format.js";
import type { ControlListItemView, ItemExtras, ItemView } from "../../lists.js";
import { CSRF_FIELD } from "../../session.js";
import { type FormState, rowId, SkipForm, SkipLink } from "./item-forms.js";

/** What a row needs: the item as stored (shown through `view`), where it is shown, the file's values. */
export interface RowData {
  listId: string;
  item: ControlListItemView;
  shownAt: number;
  view: ItemView;
  attributes: string[];
  values: Record<string, unknown> | undefined;
  /** Reasons in words (and, for full views, the file's rank in its unit), as the API gives them. */
  extras: ItemExtras;
  /** Inspectors may claim and record outcomes; everyone else only reads. */
  canWork: boolean;
  csrf: string;
  form?: FormState;
  /** The skip form when it came back refused (reason too short, or a conflict). */
  skip?: FormState;
}

export { rowId };

/**
 * Reasons as words. Inspectors see the attribute and its direction only (magnitudes would give
 * exploration picks away); other roles also see the contribution.
 */
function Reasons({ stored, view, extras }: { stored: unknown; view: ItemView; extras: ItemExtras }) {
  if (extras.explanation?.length) {
    return (
      <ul class="reasons">
        {extras.explanation.map((r) => (
          <li>{r.text}</li>
        ))}
      </ul>
    );
  }
  const reasons = view === "inspector" ? blindReasons(stored) : expandReasons(stored);
  if (reasons.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li>
          {r.attribute.replaceAll("_", " ")} {r.direction} the risk
          {"contribution" in r && typeof r.contribution === "number" && <span class="muted"> ({r.contribution.toFixed(3)})</span>}
        </li>
      ))}
    </ul>
  );
}

const err = (form: RowData["form"], path: string) => form?.errors.find((e) => e.path === path)?.message;

/**
 * The outcome form is fetched when asked for (a link without JavaScript, an htmx swap with it):
 * a list of 500 rows each carrying its own form was most of the page's bytes and render time.
 */
function OutcomeLink({ d }: { d: RowData }) {
  const href = `/app/lists/${d.listId}/items/${encodeURIComponent(d.item.fileId)}/outcome?shownAt=${d.shownAt}`;
  return (
    <a href={href} hx-get={href} hx-target="this" hx-swap="outerHTML">
      Record outcome
    </a>
  );
}

export function OutcomeForm({ d }: { d: Pick<RowData, "listId" | "shownAt" | "csrf" | "form"> & { item: { fileId: string } } }) {
  const base = `/app/lists/${d.listId}/items/${encodeURIComponent(d.item.fileId)}`;
  const id = (name: string) => `${name}-${d.shownAt}`;
  const v = d.form?.values ?? {};
  const field = (name: string) => {
    const message = err(d.form, name);
    return {
      invalid: message ? ("true" as const) : undefined,
      describedBy: message ? id(`${name}-error`) : undefined,
      message: message ? (
        <p id={id(`${name}-error`)} class="error">
          {message}
        </p>
      ) : null,
    };
  };
  const outcome = field("outcome");
  const amount = field("amount");
  const date = field("controlledAt");
  const notes = field("notes");
  return (
    <div class="outcome">
      <form method="post" action={`${base}/outcome`} hx-post={`${base}/outcome`} hx-target={`#${rowId(d.shownAt)}`} hx-swap="outerHTML">
        <input type="hidden" name={CSRF_FIELD} value={d.csrf} />
        <input type="hidden" name="shownAt" value={String(d.shownAt)} />
        {d.form?.notice && (
          <p class="error" role="alert">
            {d.form.notice}
          </p>
        )}
        <label for={id("outcome")}>What did the control find?</label>
        <select id={id("outcome")} name="outcome" required autofocus={!d.form || undefined} aria-invalid={outcome.invalid} aria-describedby={outcome.describedBy}>
          <option value="">Choose…</option>
          <option value="1" selected={v.outcome === "1"}>
            Irregularity found
          </option>
          <option value="0" selected={v.outcome === "0"}>
            Nothing found
          </option>
        </select>
        {outcome.message}
        <label for={id("amount")}>Amount found (optional)</label>
        <input id={id("amount")} name="amount" inputmode="decimal" value={v.amount ?? ""} aria-invalid={amount.invalid} aria-describedby={amount.describedBy} />
        {amount.message}
        <label for={id("controlledAt")}>Date of the control (default today)</label>
        <input id={id("controlledAt")} name="controlledAt" type="date" value={v.controlledAt ?? ""} aria-invalid={date.invalid} aria-describedby={date.describedBy} />
        {date.message}
        <label for={id("notes")}>Note (optional)</label>
        <textarea id={id("notes")} name="notes" maxlength={4000} aria-invalid={notes.invalid} aria-describedby={notes.describedBy}>
          {v.notes ?? ""}
        </textarea>
        {notes.message}
        <p>
          <button type="submit">Save outcome</button>
        </p>
      </form>
    </div>
  );
}

export function ListRow({ d }: { d: RowData }) {
  const { item, view } = d;
  const finished = item.status === "done" || item.status === "skipped";
  const base = `/app/lists/${d.listId}/items/${encodeURIComponent(item.fileId)}`;
  return (
    <tr id={rowId(d.shownAt)} data-file={item.fileId}>
      <td class="num">{d.shownAt}</td>
      <td>
        <a href={`/app/files/${encodeURIComponent(item.fileId)}`}>{item.fileId}</a>
      </td>
      {d.attributes.map((a) => (
        <td>{fmtValue(d.values?.[a])}</td>
      ))}
      <td>
        <Reasons stored={item.reasons} view={view} extras={d.extras} />
      </td>
      {view === "full" && (
        <>
          <td class="num">
            {fmtPercent(item.score)}
            {d.extras.unitRank && <div class="muted">#{fmtInt(d.extras.unitRank.rank)} of {fmtInt(d.extras.unitRank.of)}</div>}
          </td>
          <td>
            {item.selectedBy}
            {item.selectedBy === "exploration" && <span class="muted"> (p = {fmtPercent(item.selectionProbability)})</span>}
          </td>
        </>
      )}
      <td>
        <span class={`status status-${item.status}`}>{item.status.replace("_", " ")}</span>
        {item.assignedTo && <div class="muted">{item.assignedTo}</div>}
      </td>
      {d.canWork && (
        <td>
          {item.status === "pending" && (
            <form method="post" action={`${base}/claim`} hx-post={`${base}/claim`} hx-target={`#${rowId(d.shownAt)}`} hx-swap="outerHTML">
              <input type="hidden" name={CSRF_FIELD} value={d.csrf} />
              <input type="hidden" name="shownAt" value={String(d.shownAt)} />
              <button type="submit" class="secondary">
                Claim
              </button>
            </form>
          )}
          {!finished && (d.form ? <OutcomeForm d={d} /> : <OutcomeLink d={d} />)}
          {!finished && !d.form && (d.skip ? <SkipForm d={{ listId: d.listId, fileId: item.fileId, shownAt: d.shownAt, csrf: d.csrf, form: d.skip }} /> : <> · <SkipLink listId={d.listId} fileId={item.fileId} shownAt={d.shownAt} /></>)}
          {item.status === "done" && <span>Outcome recorded</span>}
          {item.status === "skipped" && <span>Skipped{item.note ? `: ${item.note}` : ""}</span>}
          {finished && (d.form ?? d.skip)?.notice && (
            <p class="error" role="alert">
              {(d.form ?? d.skip)?.notice}
            </p>
          )}
        </td>
      )}
    </tr>
  );
}
