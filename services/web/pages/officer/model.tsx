import { z } from "@hono/zod-openapi";
import type { FigureComparison, ModelMetricsJson } from "../../../../models/index.js";
import { zodFieldErrors } from "../../../api/problem.js";
import { ApproveModelBody } from "../../../api/routes/models/models.schemas.js";
import { approveModel } from "../../../db/queries/model-approval.js";
import { getModel, type ModelRow } from "../../../db/queries/models.js";
import { CARDED } from "../../../db/queries/model-card.js";
import { DomainError, type FieldError, notFound } from "../../../errors.js";
import { verdictWarnings } from "../../../policy/approval.js";
import { fmtDateTime, fmtInt, fmtNumber, fmtPercent } from "../../format.js";
import { formText, rolesOf } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { LineChart, type Series } from "./charts.js";
import { Fairness, fairnessView } from "./fairness.js";
import * as evidenceRoutes from "../../../api/routes/models/evidence.routes.js";
import { scrollBox } from "../../scroll-box.js";

const FIGURE = { aucRoc: "ROC-AUC", prAuc: "PR-AUC", precision: "Precision", recall: "Recall", yield: "Positives found" } as const;
const YARDSTICK: Record<string, string> = { random: "Random order", logistic: "Logistic regression", champion: "Current model" };

async function modelOf(c: WebContext): Promise<ModelRow> {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`model ${id}`);
  return getModel(c.get("deps").database.db, id);
}

const figureName = (f: FigureComparison) => (f.capacity === null ? FIGURE[f.figure] : `${FIGURE[f.figure]} at ${fmtPercent(f.capacity)} of files`);
const fig = (f: FigureComparison, v: number | null) => (f.figure === "yield" ? fmtNumber(v) : fmtNumber(v === null ? null : Math.round(v * 1000) / 1000));

/** Live training progress; polled by htmx every second while training, and the page reloads when it ends. */
export function TrainingProgress({ m }: { m: ModelRow }) {
  const running = m.status === "draft" || m.status === "training";
  const p = (m.progress ?? {}) as { phase?: string; epoch?: number; maxEpochs?: number; loss?: number; valPrAuc?: number; valAucRoc?: number };
  return (
    <section id="training" class="card" aria-live="polite" hx-get={running ? `/app/models/${m.id}/progress` : undefined} hx-trigger={running ? "every 1s" : undefined} hx-swap="outerHTML">
      <h2>Training</h2>
      {p.maxEpochs ? <progress max={p.maxEpochs} value={p.epoch ?? 0} aria-label="Epochs"></progress> : null}{" "}
      <span data-testid="training-progress">
        {m.status === "draft" ? "Waiting for a worker…" : `${p.phase ?? m.status}: epoch ${fmtInt(p.epoch ?? 0)}${p.maxEpochs ? ` of at most ${fmtInt(p.maxEpochs)}` : ""}`}
        {p.valAucRoc != null && ` · validation ROC-AUC ${fmtNumber(p.valAucRoc)}, PR-AUC ${fmtNumber(p.valPrAuc ?? null)}`}
      </span>
      {m.error && <p class="notice bad">{m.error}</p>}
    </section>
  );
}

function Verdict({ metrics }: { metrics: ModelMetricsJson }) {
  const v = metrics.verdict;
  if (!v) return <p>This model was evaluated before verdicts were stored.</p>;
  const figures = v.comparisons[0]?.figures ?? [];
  return (
    <>
      <ul>
        {v.summary.map((s) => (
          <li>{s}</li>
        ))}
      </ul>
      <p class="muted">
        {fmtInt(v.n)} validation files, {fmtInt(v.positives)} with an irregularity; intervals: {fmtPercent(v.level)} paired bootstrap ({fmtInt(v.resamples)} resamples).
      </p>
      <div {...scrollBox({ label: "Verdict against the yardsticks" })}>
        <table aria-label="Verdict against the yardsticks">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th scope="col">This model</th>
              {v.comparisons.map((c) => (
                <th scope="col">{YARDSTICK[c.baseline] ?? c.baseline}: value, difference</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {figures.map((f, i) => (
              <tr>
                <th scope="row">{figureName(f)}</th>
                <td>
                  {fig(f, f.model.value)} <span class="muted">[{fig(f, f.model.low)}, {fig(f, f.model.high)}]</span>
                </td>
                {v.comparisons.map((c) => {
                  const g = c.figures[i];
                  return (
                    <td>
                      {fig(g, g.baseline.value)} · {g.difference.value !== null && g.difference.value >= 0 ? "+" : ""}
                      {fig(g, g.difference.value)} <span class={`status status-${g.outcome}`}>{g.outcome}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Curves({ m, metrics }: { m: ModelRow; metrics: ModelMetricsJson }) {
  const baselines = m.baselines as { logistic?: { report: ModelMetricsJson["validation"] } } | null;
  const roc = (r?: ModelMetricsJson["validation"]) => (r?.roc ?? []).map((p) => [p.fpr ?? Number.NaN, p.tpr ?? Number.NaN] as [number, number]);
  const pr = (r?: ModelMetricsJson["validation"]) => (r?.pr ?? []).map((p) => [p.recall ?? Number.NaN, p.precision ?? Number.NaN] as [number, number]);
  const rocSeries: Series[] = [{ name: "this model", points: roc(metrics.validation) }, { name: "logistic regression", points: roc(baselines?.logistic?.report), dashed: true }];
  const prSeries: Series[] = [{ name: "this model", points: pr(metrics.validation) }, { name: "logistic regression", points: pr(baselines?.logistic?.report), dashed: true }];
  const gains: Series[] = [{ name: "share of irregularities found", points: metrics.validation.gains.map((g) => [g.fraction, g.recall ?? Number.NaN]) }];
  const calibration: Series[] = [
    { name: "observed rate by score decile", points: metrics.validation.calibration.map((b) => [b.meanScore ?? Number.NaN, b.observedRate ?? Number.NaN]) },
  ];
  return (
    <div class="cards">
      <LineChart id="roc" title="ROC curve (validation)" xLabel="false positive rate" yLabel="true positive rate" series={rocSeries} diagonal />
      <LineChart id="pr" title="Precision and recall (validation)" xLabel="recall" yLabel="precision" series={prSeries} />
      <LineChart id="gains" title="Gains: controlling the top share of files" xLabel="share of files controlled" yLabel="irregularities found" series={gains} diagonal />
      <LineChart id="calibration" title="Calibration: does a score of 30% mean 30%?" xLabel="mean score" yLabel="observed rate" series={calibration} diagonal />
    </div>
  );
}

function Approval({ m, csrf, errors, notice }: { m: ModelRow; csrf: string; errors?: FieldError[]; notice?: string }) {
  const warnings = verdictWarnings(m.metrics);
  const err = errors?.find((e) => e.path === "justification")?.message;
  return (
    <section class="card" aria-labelledby="approve-title">
      <h2 id="approve-title">Approve (four eyes)</h2>
      <p>Another data officer than the one who trained it ({m.trainedBy}) approves it; it then replaces the active model for new lists.</p>
      {notice && (
        <p class="notice bad" role="alert">
          {notice}
        </p>
      )}
      {warnings.length > 0 && (
        <div class="notice warn" data-testid="approval-warnings">
          <strong>Warnings:</strong>
          <ul>
            {warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
          Approving anyway needs the box below ticked and a justification that answers them; they are kept with the approval.
        </div>
      )}
      <form method="post" action={`/app/models/${m.id}/approve`}>
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <label for="justification">Justification (at least 10 characters)</label>
        <textarea id="justification" name="justification" required aria-invalid={err ? "true" : undefined} aria-describedby={err ? "justification-error" : undefined}></textarea>
        {err && <p id="justification-error" class="error">{err}</p>}
        {warnings.length > 0 && (
          <label>
            <input type="checkbox" name="override" value="true" /> Approve despite the warnings
          </label>
        )}
        <p>
          <button type="submit">Approve</button>
        </p>
      </form>
    </section>
  );
}

export async function showModel(c: WebContext, form: { errors?: FieldError[]; notice?: string } = {}) {
  const actor = actorOf(c);
  const m = await modelOf(c);
  const metrics = m.metrics as ModelMetricsJson | null;
  const title = `Model ${m.name ?? m.id.slice(0, 8)}`;
  const showFairness = metrics !== null && rolesOf(evidenceRoutes.fairness).includes(actor.role);
  const fairness = showFairness ? fairnessView(m, c.req.query("capacity"), c.req.queries("reference") ?? []) : null;
  if (form.errors) c.status(422);
  else if (form.notice) c.status(409);
  return c.render(
    <>
      <h1>{title}</h1>
      <p class="muted">
        <span class={`status status-${m.status}`}>{m.status}</span> · trained by {m.trainedBy} · created {fmtDateTime(m.createdAt)}
        {m.approvedBy && ` · approved by ${m.approvedBy} ${fmtDateTime(m.approvedAt)}`}
      </p>
      {CARDED.has(m.status) && (
        <p class="row" aria-label="Documentation">
          <a href={`/app/models/${m.id}/card`}>Model card</a>
          <a href={`/app/models/${m.id}/yield`}>Yield on past controls</a>
        </p>
      )}
      <TrainingProgress m={m} />
      {metrics && (
        <>
          <h2>Verdict</h2>
          <Verdict metrics={metrics} />
          {metrics.validation && (
            <>
              <h2>Curves</h2>
              <Curves m={m} metrics={metrics} />
            </>
          )}
          {showFairness && <Fairness m={m} view={fairness} />}
        </>
      )}
      {m.status === "trained" && actor.role === "data_officer" && actor.id === m.trainedBy && (
        <p class="notice">You trained this model: another data officer reviews and approves it (four eyes).</p>
      )}
      {m.status === "trained" && actor.role === "data_officer" && (actor.id !== m.trainedBy || form.notice) && (
        <Approval m={m} csrf={c.get("session")?.csrfToken ?? ""} {...form} />
      )}
    </>,
    { title },
  );
}

export async function modelProgress(c: WebContext) {
  const m = await modelOf(c);
  // Finished: reload the page, which then shows the verdict (or the failure).
  if (m.status !== "draft" && m.status !== "training") c.header("HX-Refresh", "true");
  return c.html(<TrainingProgress m={m} />);
}

/** The API's approval: same schema, same four-eyes and verdict guard, same events. */
export async function approve(c: WebContext) {
  const actor = actorOf(c);
  const m = await modelOf(c);
  const form = await c.req.parseBody();
  const parsed = ApproveModelBody.safeParse({ justification: formText(form, "justification"), override: formText(form, "override") === "true" });
  if (!parsed.success) return showModel(c, { errors: zodFieldErrors(parsed.error) });
  try {
    await approveModel(c.get("deps").database.db, m.id, parsed.data.justification, actor, c.get("requestId"), parsed.data.override);
  } catch (error) {
    if (error instanceof DomainError && (error.code === "conflict" || error.code === "forbidden")) return showModel(c, { notice: error.message });
    throw error;
  }
  return c.redirect(`/app/models/${m.id}`, 303);
}
