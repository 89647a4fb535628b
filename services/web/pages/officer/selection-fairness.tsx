import { assertUnitAccess } from "../../../auth/actor.js";
import { getControlList } from "../../../db/queries/control-lists.js";
import { type ListFairness, readListFairness, type RunFairness } from "../../../db/queries/fairness.js";
import { notFound } from "../../../errors.js";
import { actorOf, type WebContext } from "../../session.js";
import { z } from "@hono/zod-openapi";
import { fmtInt, fmtNumber, fmtPercent } from "../../format.js";
import { AttributeTable, SHOWN } from "./fairness.js";

/**
 * The fairness of a live selection (GET /v1/scoring-runs/:id/fairness, GET
 * /v1/control-lists/:id/fairness) on the run's and the list's pages, with the model page's table.
 * Only the controlled files have an outcome, so the outcome rates describe them; a list knows only
 * its own picks' outcomes, so it shows the selection rate, the hit rate and the FDR.
 */

/** The capacities offered on the run's page (the model evaluation's, so the two can be compared). */
export const RUN_CAPACITIES = [0.01, 0.05, 0.1, 0.2];
const LIST_SHOWN = SHOWN.filter((s) => s.metric === "selectionRate" || s.metric === "precision").concat({ metric: "fdr", name: "False discovery rate" });

/** The asked capacity when it is one offered, else 10 %. */
export const runCapacity = (asked: string | undefined) => RUN_CAPACITIES.find((x) => Math.abs(x - Number(asked)) < 1e-9) ?? 0.1;

function Band({ r }: { r: RunFairness["report"] }) {
  return (
    <>
      Each rate is compared with the reference group's (the ratio); outside {fmtNumber(r.band.low)}–{fmtNumber(r.band.high)} it is flagged. The selection rate is
      judged for groups of at least {fmtInt(r.minFiles)} files, the outcome rates when a group also has {fmtInt(r.minPositives)} irregularities among its
      controlled files.
    </>
  );
}

/**
 * The reference group, per the API's `reference=attribute:value`: the default (each attribute's
 * largest group) can have no file selected, and then no ratio is defined; the officer picks another.
 */
function ReferenceSelect({ r, id }: { r: RunFairness["report"]; id: string }) {
  const segments = r.attributes.filter((a) => a.kind === "segment");
  return (
    <div>
      <label for={id}>Reference group</label>
      <select id={id} name="reference">
        <option value="">The largest group of each attribute</option>
        {segments.map((a) => (
          <optgroup label={a.attribute.replaceAll("_", " ")}>
            {a.groups.map((g) => (
              <option value={`${a.attribute}:${g.value}`} selected={a.referenceChosen && a.reference === g.value}>
                {g.value}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

export function RunFairnessSection({ f }: { f: RunFairness }) {
  const r = f.report;
  const segments = r.attributes.filter((a) => a.kind === "segment");
  return (
    <section class="card" aria-labelledby="run-fairness-title" id="fairness">
      <h2 id="run-fairness-title">Fairness of the selection</h2>
      <p>
        The top {fmtPercent(r.capacity)} of the run's {fmtInt(r.n)} files ({fmtInt(r.k)} files) are selected. {fmtInt(r.labels?.labelled ?? 0)} files have a recorded
        outcome (their latest); past lists chose them, so the outcome rates describe the files controlled so far, not each whole group. <Band r={r} />
      </p>
      <form method="get" action={`/app/runs/${f.runId}/fairness`} class="row" hx-get={`/app/runs/${f.runId}/fairness`} hx-target="#fairness" hx-swap="outerHTML">
        <div>
          <label for="run-fairness-capacity">Share of files selected</label>
          <select id="run-fairness-capacity" name="capacity">
            {RUN_CAPACITIES.map((x) => (
              <option value={String(x)} selected={Math.abs(x - r.capacity) < 1e-9}>
                {fmtPercent(x)}
              </option>
            ))}
          </select>
        </div>
        <ReferenceSelect r={r} id="run-fairness-reference" />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      {segments.length === 0 ? <p class="muted">The feature schema names no segment attribute.</p> : segments.map((a) => <AttributeTable report={r} a={a} />)}
    </section>
  );
}

export function ListFairnessSection({ f }: { f: ListFairness }) {
  const r = f.report;
  const segments = r.attributes.filter((a) => a.kind === "segment");
  return (
    <section class="card" aria-labelledby="list-fairness-title" id="fairness">
      <h2 id="list-fairness-title">Fairness of this list</h2>
      <p>
        The list's {fmtInt(r.k)} picks ({fmtInt(f.picks.model)} by the model, {fmtInt(f.picks.exploration)} by exploration, {fmtInt(f.picks.manual)} by hand
        {f.picks.outsideRun > 0 && `, ${fmtInt(f.picks.outsideRun)} of them not scored by the run and left out`}) against the {fmtInt(r.n)} files of unit {f.unit} that
        the run scored. Hit rate and false discovery rate are over the {fmtInt(r.labels?.labelled ?? 0)} picks with a recorded outcome. <Band r={r} />
      </p>
      <form method="get" action={`/app/lists/${f.listId}/fairness`} class="row" hx-get={`/app/lists/${f.listId}/fairness`} hx-target="#fairness" hx-swap="outerHTML">
        <ReferenceSelect r={r} id="list-fairness-reference" />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      {segments.length === 0 ? (
        <p class="muted">The feature schema names no segment attribute.</p>
      ) : (
        segments.map((a) => <AttributeTable report={r} a={a} shown={LIST_SHOWN} />)
      )}
    </section>
  );
}

/** The list page's placeholder: htmx fetches the section; without scripts the link opens it as a page. */
export function ListFairnessLoader({ listId }: { listId: string }) {
  const href = `/app/lists/${listId}/fairness`;
  return (
    <section id="fairness" class="card" hx-get={href} hx-trigger="load" hx-swap="outerHTML" aria-busy="true">
      <h2>Fairness of this list</h2>
      <p>
        <a href={href}>Show the fairness of this list</a> (reads the scores of the list's unit).
      </p>
    </section>
  );
}

/** A list's fairness (GET /v1/control-lists/:id/fairness: the list's unit, a recorded read): the section for htmx, or a page. */
export async function showListFairness(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`control list ${id}`);
  const { database } = c.get("deps");
  const actor = actorOf(c);
  const list = await getControlList(database.db, id);
  assertUnitAccess(actor, list.unit);
  const f = await readListFairness(database, list, { reference: c.req.query("reference") || undefined }, actor, { requestId: c.get("requestId"), via: "web" });
  if (c.req.header("hx-request")) return c.html(<ListFairnessSection f={f} />);
  const title = `Fairness of a control list · ${list.unit}`;
  return c.render(
    <>
      <h1>{title}</h1>
      <p>
        <a href={`/app/lists/${id}`}>Back to the list</a>
      </p>
      <ListFairnessSection f={f} />
    </>,
    { title },
  );
}
