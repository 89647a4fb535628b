import { z } from "@hono/zod-openapi";
import { AuditEventsQuery } from "../../../api/routes/audit/audit.schemas.js";
import { zodFieldErrors } from "../../../api/problem.js";
import { appendAuditEvent, listAuditEvents } from "../../../db/queries/audit-events.js";
import { listScoringRuns } from "../../../db/queries/scoring-runs.js";
import { fmtDateTime, fmtInt } from "../../format.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

const PAGE = 50;
const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date (YYYY-MM-DD)");
/** The API's filters plus a date range (days, UTC; `to` inclusive). */
const Filters = AuditEventsQuery.extend({ from: DAY.optional(), to: DAY.optional(), limit: z.coerce.number().int().min(1).max(200).default(PAGE) });

const FIELDS = [
  ["actor", "Actor (key prefix)"],
  ["action", "Action (model.* for a family)"],
  ["target", "Subject (list, file, key, run…)"],
  ["from", "From (day)"],
  ["to", "To (day, included)"],
] as const;

/** Audit events with filters, paged in chain order; reading them is itself recorded, as in the API. */
export async function showAudit(c: WebContext) {
  const actor = actorOf(c);
  const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ""));
  const parsed = Filters.safeParse(raw);
  const errors = parsed.success ? [] : zodFieldErrors(parsed.error);
  const q = parsed.success ? parsed.data : { limit: PAGE };
  const { db } = c.get("deps").database;
  const filter = {
    ...q,
    from: "from" in q && q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to: "to" in q && q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) : undefined,
  };
  const page = parsed.success ? await listAuditEvents(db, filter) : { items: [], nextAfter: null };
  if (parsed.success) {
    await appendAuditEvent(db, { actor, action: "audit.events.read", details: { ...raw, returned: page.items.length, via: "web" }, requestId: c.get("requestId") });
  }
  const runs = (await listScoringRuns(db, { limit: 20 })).items;
  const next = page.nextAfter === null ? null : `/app/audit?${new URLSearchParams({ ...raw, after: String(page.nextAfter) })}`;
  const csrf = c.get("session")?.csrfToken ?? "";
  if (!parsed.success) c.status(422);
  return c.render(
    <>
      <h1>Audit trail</h1>
      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title">Verify</h2>
        <div class="row">
          <form method="post" action="/app/audit/verify" hx-post="/app/audit/verify" hx-target="#verify-result">
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            <button type="submit">Verify the whole chain</button>
          </form>
          <form method="post" action="/app/audit/verify" hx-post="/app/audit/verify" hx-target="#verify-result" class="row">
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            <div>
              <label for="run">Scoring run</label>
              <select id="run" name="run" required>
                {runs.map((r) => (
                  <option value={r.id}>
                    {fmtDateTime(r.createdAt)} · {r.status} · {fmtInt(r.totalFiles)} files
                  </option>
                ))}
              </select>
            </div>
            <div>
              <button type="submit" class="secondary" disabled={runs.length === 0}>
                Verify this run's scores
              </button>
            </div>
          </form>
        </div>
        <div id="verify-result" aria-live="polite"></div>
      </section>
      <form method="get" action="/app/files" class="row card" aria-label="A file's score history">
        <div>
          <label for="file-id">A file's controls and score history: file id</label>
          <input id="file-id" name="id" required maxlength={200} />
        </div>
        <div>
          <button type="submit" class="secondary">Open the file</button>
        </div>
      </form>
      <h2 id="events-title">Events</h2>
      <form method="get" action="/app/audit" class="row card" aria-label="Filter events">
        {FIELDS.map(([name, label]) => {
          const error = errors.find((e) => e.path === name)?.message;
          return (
            <div>
              <label for={`f-${name}`}>{label}</label>
              <input
                id={`f-${name}`}
                name={name}
                type={name === "from" || name === "to" ? "date" : "text"}
                value={raw[name] ?? ""}
                aria-invalid={error ? "true" : undefined}
              />
              {error && <p class="error">{error}</p>}
            </div>
          );
        })}
        <div>
          <button type="submit">Filter</button>
        </div>
      </form>
      <div {...scrollBox({ labelledBy: "events-title" })}>
        <table aria-labelledby="events-title">
          <thead>
            <tr>
              <th scope="col" class="num">#</th>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((e) => (
              <tr>
                <td class="num">{e.id}</td>
                <td>{fmtDateTime(e.at)}</td>
                <td>
                  {e.actor} <span class="muted">({e.role})</span>
                </td>
                <td>{e.action}</td>
                <td>{e.target ?? "—"}</td>
                <td>
                  <code>{JSON.stringify(e.details).slice(0, 300)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{next ? <a href={next}>Next {PAGE} events</a> : <span class="muted">End of the trail for these filters.</span>}</p>
    </>,
    { title: "Audit trail" },
  );
}
