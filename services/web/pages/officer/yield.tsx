import { z } from "@hono/zod-openapi";
import { explorationGuidance } from "../../../../models/exploration-guidance.js";
import type { OffPolicyEstimate } from "../../../../models/off-policy.js";
import { getModel } from "../../../db/queries/models.js";
import { controlRoutes, listYieldEstimates, produceYieldEstimate } from "../../../db/queries/yield-estimates.js";
import { DomainError, notFound } from "../../../errors.js";
import { fmtDateTime, fmtInt, fmtNumber, fmtPercent } from "../../format.js";
import { formText } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";

/**
 * A model's yield on past controls (GET /v1/models/:id/yield-estimate): a form to make an estimate
 * at a capacity (stored and audited as the API does), the latest one in full with the exploration
 * share guidance, and the stored ones listed.
 */

const KINDS = [
  ["dr", "Doubly robust"],
  ["snips", "Self-normalized IPS"],
  ["ips", "Inverse propensity (IPS)"],
  ["naive", "Naive: hit rate of the past controls in its list (biased)"],
] as const;
/** The form's field: a percentage of files, as people write it. */
const CapacityPercent = z.coerce.number({ message: "a number" }).gt(0, "more than 0 %").lte(100, "at most 100 %");

async function modelOf(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`model ${id}`);
  return getModel(c.get("deps").database.db, id);
}

const interval = (i: { value: number | null; low: number | null; high: number | null }) => `${fmtPercent(i.value)} (${fmtPercent(i.low)} to ${fmtPercent(i.high)})`;

function Latest({ e }: { e: OffPolicyEstimate }) {
  return (
    <>
      <div class="table-wrap">
        <table aria-label="Latest estimate">
          <thead>
            <tr>
              <th scope="col">Estimate</th>
              <th scope="col" class="num">
                Hit rate (95 % interval)
              </th>
            </tr>
          </thead>
          <tbody>
            {KINDS.map(([k, name]) => (
              <tr data-estimate={k}>
                <th scope="row">{name}</th>
                <td class="num">{interval(e.hitRate[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Support: {fmtInt(e.support.controls)} of {fmtInt(e.controls)} past controls fall in its list of {fmtInt(e.k)} files ({fmtInt(e.support.positives)} with an
        irregularity, effective size {fmtNumber(e.support.effectiveSize)}). Past lists found {fmtPercent(e.pastHitRate)}.
      </p>
      {e.warnings.map((w) => (
        <p class="notice warn">{w}</p>
      ))}
    </>
  );
}

export async function showYield(c: WebContext, form: { error?: string; status?: 409 | 422; value?: string } = {}) {
  const m = await modelOf(c);
  const { db } = c.get("deps").database;
  const stored = await listYieldEstimates(db, m.id);
  const latest = stored[0];
  const guidance = latest ? explorationGuidance(latest.estimate, await controlRoutes(db, latest.runId)) : null;
  const csrf = c.get("session")?.csrfToken ?? "";
  if (form.status) c.status(form.status);
  const title = `Yield on past controls · model ${m.name ?? m.id.slice(0, 8)}`;
  return c.render(
    <>
      <h1>{title}</h1>
      <p>
        What this model's list would have found on past controls, each weighted by 1 / the probability it had of being selected (manual picks left out). The
        model's latest completed scoring run gives the files the list is drawn from. <a href={`/app/models/${m.id}`}>Back to the model</a>
      </p>
      <section class="card" aria-labelledby="estimate-form-title">
        <h2 id="estimate-form-title">Make an estimate</h2>
        {form.error && (
          <div class="notice bad" role="alert">
            <p>
              <a href="#capacity">{form.error}</a>
            </p>
          </div>
        )}
        <form method="post" action={`/app/models/${m.id}/yield`} class="row">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <div>
            <label for="capacity">Share of files on the list (%)</label>
            <input id="capacity" name="capacity" type="number" min="0.1" max="100" step="0.1" value={form.value ?? "10"} required aria-invalid={form.error ? "true" : undefined} />
          </div>
          <div>
            <button type="submit">Estimate</button>
          </div>
        </form>
      </section>
      {latest && (
        <section class="card" aria-labelledby="latest-title" id={`estimate-${latest.id}`}>
          <h2 id="latest-title">
            Latest: a list of {fmtPercent(latest.capacity)} of files, {fmtDateTime(latest.createdAt)}
          </h2>
          <Latest e={latest.estimate} />
        </section>
      )}
      {guidance && (
        <section class="card" aria-labelledby="guidance-title" id="guidance">
          <h2 id="guidance-title">How the exploration share sets the interval</h2>
          <p>
            {guidance.rows[0].expectedWidth === null
              ? guidance.note
              : `${fmtPercent(guidance.currentShare)} of the past controls used were exploration picks. With as many controls, lists with another exploration share would give about these intervals (self-normalized estimate). ${guidance.note}`}
          </p>
          {guidance.rows[0].expectedWidth !== null && (
            <div class="table-wrap">
              <table aria-label="Expected interval width by exploration share">
                <thead>
                  <tr>
                    <th scope="col">Exploration share</th>
                    <th scope="col" class="num">
                      Expected interval width
                    </th>
                    <th scope="col" class="num">
                      Expected effective size
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {guidance.rows.map((r) => (
                    <tr data-share={String(r.share)}>
                      <th scope="row">
                        {fmtPercent(r.share)}
                        {r.share === 0.1 && <span class="muted"> (default)</span>}
                      </th>
                      <td class="num">± {fmtPercent(r.expectedWidth === null ? null : r.expectedWidth / 2)}</td>
                      <td class="num">{fmtNumber(r.expectedEffectiveSize === null ? null : Math.round(r.expectedEffectiveSize))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <section class="card" aria-labelledby="stored-title">
        <h2 id="stored-title">Stored estimates</h2>
        {stored.length === 0 ? (
          <p class="muted">None yet.</p>
        ) : (
          <div class="table-wrap">
            <table aria-label="Stored estimates">
              <thead>
                <tr>
                  <th scope="col">Made</th>
                  <th scope="col" class="num">List</th>
                  <th scope="col" class="num">Doubly robust (95 %)</th>
                  <th scope="col" class="num">Naive</th>
                  <th scope="col" class="num">Controls in the list</th>
                  <th scope="col">Support</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {stored.map((s) => (
                  <tr data-estimate-id={s.id}>
                    <td>{fmtDateTime(s.createdAt)}</td>
                    <td class="num">{fmtPercent(s.capacity)}</td>
                    <td class="num">{interval(s.estimate.hitRate.dr)}</td>
                    <td class="num">{fmtPercent(s.estimate.hitRate.naive.value)}</td>
                    <td class="num">{fmtInt(s.estimate.support.controls)}</td>
                    <td>{s.estimate.support.thin ? <span class="flag">thin: not to be trusted</span> : "enough"}</td>
                    <td>{s.requestedBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>,
    { title },
  );
}

/** The form's estimate: the API's query, stored and audited by the same function. */
export async function computeYield(c: WebContext) {
  const m = await modelOf(c);
  const value = formText(await c.req.parseBody(), "capacity");
  const parsed = CapacityPercent.safeParse(value);
  if (!parsed.success) return showYield(c, { error: `Share of files on the list: ${parsed.error.issues[0].message}`, status: 422, value });
  try {
    const made = await produceYieldEstimate(c.get("deps").database.db, m.id, parsed.data / 100, actorOf(c), c.get("requestId"));
    return c.redirect(`/app/models/${m.id}/yield#estimate-${made.id}`, 303);
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return showYield(c, { error: error.message, status: 409, value });
    throw error;
  }
}
