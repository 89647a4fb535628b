import { z } from "@hono/zod-openapi";
import { zodFieldErrors } from "../../../api/problem.js";
import { CreateApiKeyBody } from "../../../api/routes/api-keys/api-keys.schemas.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../../db/queries/api-keys.js";
import { unitsWithoutFiles } from "../../../db/queries/files.js";
import { ROLES } from "../../../db/schema/index.js";
import { type FieldError, notFound } from "../../../errors.js";
import { fmtDateTime, ROLE_NAMES } from "../../format.js";
import { formText } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

interface KeyForm {
  values?: Record<string, string>;
  errors?: FieldError[];
  created?: { prefix: string; key: string; name: string };
}

const err = (form: KeyForm, path: string) => form.errors?.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: unknown }) {
  return (
    <div>
      <label for={id}>{label}</label>
      {children}
      {error && (
        <p id={`${id}-error`} class="error">
          {error}
        </p>
      )}
    </div>
  );
}

/** API keys: the list, a form to make one (its secret shown once, with a copy button), revoke. */
export async function showKeys(c: WebContext, form: KeyForm = {}) {
  const keys = await listApiKeys(c.get("deps").database.db);
  const csrf = c.get("session")?.csrfToken ?? "";
  const v = form.values ?? {};
  if (form.errors) c.status(422);
  return c.render(
    <>
      <h1>API keys</h1>
      {form.created && (
        <section class="notice ok" aria-labelledby="created-title">
          <h2 id="created-title">Key for {form.created.name} created</h2>
          <p>Copy it now and hand it over safely: it is shown only this once (only its SHA-256 is kept).</p>
          <p id="new-key" class="secret" data-testid="new-key">
            {form.created.key}
          </p>
          <button type="button" class="secondary" data-copy="new-key">
            Copy key
          </button>
          <script src="/assets/copy.js" defer></script>
        </section>
      )}
      <section class="card" aria-labelledby="new-title">
        <h2 id="new-title">New key</h2>
        <form method="post" action="/app/admin/keys" class="row">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <Field id="name" label="Person or system" error={err(form, "name")}>
            <input id="name" name="name" required value={v.name ?? ""} aria-invalid={err(form, "name") ? "true" : undefined} />
          </Field>
          <Field id="role" label="Role" error={err(form, "role")}>
            <select id="role" name="role">
              {ROLES.map((r) => (
                <option value={r} selected={v.role === r}>
                  {ROLE_NAMES[r]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="units" label="Units (inspectors; comma separated)" error={err(form, "units")}>
            <input id="units" name="units" value={v.units ?? ""} aria-invalid={err(form, "units") ? "true" : undefined} />
          </Field>
          <div>
            <button type="submit">Create key</button>
          </div>
        </form>
      </section>
      <h2 id="keys-title">Keys</h2>
      <div {...scrollBox({ labelledBy: "keys-title" })}>
        <table aria-labelledby="keys-title">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Units</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr data-key={k.prefix}>
                <td>
                  <code>{k.prefix}</code>
                </td>
                <td>{k.name}</td>
                <td>{ROLE_NAMES[k.role]}</td>
                <td>{k.units.join(", ") || "—"}</td>
                <td>
                  {fmtDateTime(k.createdAt)} <span class="muted">by {k.createdBy}</span>
                </td>
                <td>{fmtDateTime(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt ? (
                    `revoked ${fmtDateTime(k.revokedAt)}`
                  ) : (
                    <form method="post" action={`/app/admin/keys/${k.id}/revoke`}>
                      <input type="hidden" name={CSRF_FIELD} value={csrf} />
                      <button type="submit" class="secondary" aria-label={`Revoke ${k.prefix} (${k.name})`}>
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
    { title: "API keys" },
  );
}

/** The API's body schema and unit check, then the API's query (which writes `api_key.create`). */
export async function createKey(c: WebContext) {
  const form = await c.req.parseBody();
  const values = { name: formText(form, "name"), role: formText(form, "role"), units: formText(form, "units") };
  const units = values.units.split(",").map((u) => u.trim()).filter(Boolean);
  const parsed = CreateApiKeyBody.safeParse({ name: values.name, role: values.role, units });
  if (!parsed.success) return showKeys(c, { values, errors: zodFieldErrors(parsed.error) });
  const { db } = c.get("deps").database;
  const unknown = await unitsWithoutFiles(db, parsed.data.units);
  if (unknown.length > 0) {
    return showKeys(c, { values, errors: [{ path: "units", message: `no file belongs to unit ${unknown.join(", ")}: import its files first, or check the spelling` }] });
  }
  const row = await createApiKey(db, parsed.data, actorOf(c), c.get("requestId"));
  return showKeys(c, { created: { prefix: row.prefix, key: row.key, name: row.name } });
}

export async function revokeKey(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`API key ${id}`);
  await revokeApiKey(c.get("deps").database.db, id, actorOf(c), c.get("requestId"));
  return c.redirect("/app/admin/keys", 303);
}
