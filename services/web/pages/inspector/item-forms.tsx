import type { FieldError } from "../../../errors.js";
import { CSRF_FIELD } from "../../session.js";

/** A form's state when it comes back refused: what was typed, the field errors, a notice (409, 404). */
export interface FormState {
  values: Record<string, string>;
  errors: FieldError[];
  notice?: string;
}

export const rowId = (shownAt: number) => `item-${shownAt}`;

const err = (form: FormState | undefined, path: string) => form?.errors.find((e) => e.path === path)?.message;

/** The API's reason rule, said for people. */
export const REASON_MESSAGE = "Say why in at least 10 characters.";

function Notice({ form }: { form: FormState | undefined }) {
  return form?.notice ? (
    <p class="error" role="alert">
      {form.notice}
    </p>
  ) : null;
}

function ReasonField({ id, form, label }: { id: string; form: FormState | undefined; label: string }) {
  const message = err(form, "reason");
  return (
    <>
      <label for={id}>{label}</label>
      <textarea id={id} name="reason" required minlength={10} maxlength={2000} aria-invalid={message ? "true" : undefined} aria-describedby={message ? `${id}-error` : undefined}>
        {form?.values.reason ?? ""}
      </textarea>
      {message && (
        <p id={`${id}-error`} class="error">
          {message}
        </p>
      )}
    </>
  );
}

/** Like the outcome form, the skip form is fetched when asked for: a list of 500 rows stays light. */
export function SkipLink({ listId, fileId, shownAt }: { listId: string; fileId: string; shownAt: number }) {
  const href = `/app/lists/${listId}/items/${encodeURIComponent(fileId)}/skip?shownAt=${shownAt}`;
  return (
    <a href={href} hx-get={href} hx-target="this" hx-swap="outerHTML" class="skip-link">
      Skip
    </a>
  );
}

export function SkipForm({ d }: { d: { listId: string; fileId: string; shownAt: number; csrf: string; form?: FormState } }) {
  const action = `/app/lists/${d.listId}/items/${encodeURIComponent(d.fileId)}/skip`;
  return (
    <div class="skip-item">
      <form method="post" action={action} hx-post={action} hx-target={`#${rowId(d.shownAt)}`} hx-swap="outerHTML">
        <input type="hidden" name={CSRF_FIELD} value={d.csrf} />
        <input type="hidden" name="shownAt" value={String(d.shownAt)} />
        <Notice form={d.form} />
        <ReasonField id={`skip-reason-${d.shownAt}`} form={d.form} label="Why skip this file? (at least 10 characters)" />
        <p>
          <button type="submit" class="secondary">
            Skip this file
          </button>
        </p>
      </form>
    </div>
  );
}

/** Adds a file of the list's unit by hand; a plain post (the new item is last on the list). */
export function AddItemForm({ listId, csrf, form }: { listId: string; csrf: string; form?: FormState }) {
  const fileError = err(form, "fileId");
  return (
    <section id="add-item" class="card" aria-labelledby="add-item-title">
      <h2 id="add-item-title">Add a file by hand</h2>
      <form method="post" action={`/app/lists/${listId}/items`}>
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <Notice form={form} />
        <label for="add-file-id">File id</label>
        <input id="add-file-id" name="fileId" required maxlength={200} value={form?.values.fileId ?? ""} aria-invalid={fileError ? "true" : undefined} aria-describedby={fileError ? "add-file-id-error" : undefined} />
        {fileError && (
          <p id="add-file-id-error" class="error">
            {fileError}
          </p>
        )}
        <ReasonField id="add-reason" form={form} label="Why control this file? (at least 10 characters)" />
        <p>
          <button type="submit">Add to the list</button>
        </p>
      </form>
    </section>
  );
}
