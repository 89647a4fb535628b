import { type FairnessMetric, FairnessEvaluationSchema, type FairnessReport, type GroupFairness } from "../../../../models/fairness-schema.js";
import { largestGroup } from "../../../../models/fairness.js";
import { rejudge } from "../../../db/queries/fairness.js";
import type { ModelRow } from "../../../db/queries/models.js";
import { fmtInt, fmtNumber, fmtPercent } from "../../format.js";
import { scrollBox } from "../../scroll-box.js";

/**
 * The stored fairness report of a model's evaluation (what GET /v1/models/:id/fairness answers,
 * against the reference group the officer picks per attribute, by default the largest): per
 * segment value (and per score decile, the sanity view) its count, base rate and
 * the rates of the selection at one capacity, each rate's ratio to the reference flagged when it
 * falls outside the band. Groups too small are shown, marked, never flagged.
 */
export const SHOWN: { metric: FairnessMetric; name: string }[] = [
  { metric: "selectionRate", name: "Selection rate" },
  { metric: "precision", name: "Precision" },
  { metric: "fpr", name: "False positive rate" },
  { metric: "fnr", name: "False negative rate" },
];
/** The default capacity of the API's query. */
const DEFAULT_CAPACITY = 0.1;

/** The stored evaluation, or null for models trained before fairness reports (or not trained yet). */
export const storedFairness = (m: ModelRow) => {
  const parsed = FairnessEvaluationSchema.safeParse((m.metrics as { fairness?: unknown } | null)?.fairness);
  return parsed.success ? parsed.data : null;
};

/**
 * What the fairness section shows: the stored report at the asked capacity, re-judged against the
 * asked reference groups (`attribute:value`; 422 for one the report does not have, as in the API);
 * null without a stored report. Computed before the page renders, so a refusal is a page.
 */
export function fairnessView(m: ModelRow, capacity: string | undefined, references: readonly string[]) {
  const stored = storedFairness(m);
  const at = stored ? reportAt(stored.reports, capacity) : undefined;
  return stored && at ? { capacities: stored.reports.map((r) => r.capacity), report: rejudge(at, references) } : null;
}
export type FairnessView = ReturnType<typeof fairnessView>;

/** The report at the asked capacity when it is stored, else the API's default, else the first. */
export function reportAt(reports: FairnessReport[], asked: string | undefined): FairnessReport | undefined {
  const near = (x: number) => reports.find((r) => Math.abs(r.capacity - x) < 1e-9);
  return near(Number(asked)) ?? near(DEFAULT_CAPACITY) ?? reports[0];
}

function RateCell({ g, metric, band }: { g: GroupFairness; metric: FairnessMetric; band: FairnessReport["band"] }) {
  const rate = g.rates[metric];
  const { ratio, flagged } = g.disparity[metric];
  return (
    <td class="num" data-metric={metric}>
      {fmtPercent(rate.value)}
      {ratio !== null && <div class="muted">×{fmtNumber(ratio)}</div>}
      {flagged && (
        <div class="flag" data-flag={metric}>
          outside {fmtNumber(band.low)}–{fmtNumber(band.high)}
        </div>
      )}
    </td>
  );
}

const labelOf = (a: FairnessReport["attributes"][number]) => (a.kind === "score-decile" ? "score decile" : a.attribute.replaceAll("_", " "));

/**
 * One attribute's groups: files (and, when only some have an outcome, how many), base rate, the
 * `shown` rates with their ratios and flags, and the judgement. Shared by a model's, a run's and a
 * list's report.
 */
export function AttributeTable({ report, a, shown = SHOWN }: { report: FairnessReport; a: FairnessReport["attributes"][number]; shown?: typeof SHOWN }) {
  const label = labelOf(a);
  return (
    <div {...scrollBox({ label: `Fairness by ${label}` })}>
      <table data-attribute={a.attribute}>
        <caption>
          By {label}: reference group “{a.reference}”{a.reference === largestGroup(a.groups) ? " (the largest)" : " (chosen)"} · {fmtInt(a.flaggedGroups)} flagged, {fmtInt(a.tooSmallGroups)} too small to judge
        </caption>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col" class="num">Files</th>
            {report.labels && (
              <th scope="col" class="num">
                With an outcome
              </th>
            )}
            <th scope="col" class="num">Base rate</th>
            {shown.map((s) => (
              <th scope="col" class="num">
                {s.name} (ratio)
              </th>
            ))}
            <th scope="col">Judgement</th>
          </tr>
        </thead>
        <tbody>
          {a.groups.map((g) => (
            <tr data-group={g.value}>
              <th scope="row">
                {g.value}
                {g.value === a.reference && <span class="muted"> (reference)</span>}
              </th>
              <td class="num">{fmtInt(g.n)}</td>
              {report.labels && <td class="num">{fmtInt(g.labelled ?? 0)}</td>}
              <td class="num">{fmtPercent(g.baseRate.value)}</td>
              {shown.map((s) => (
                <RateCell g={g} metric={s.metric} band={report.band} />
              ))}
              <td>
                {g.flags.length > 0 && <span class="flag">flagged: {g.flags.join(", ")} </span>}
                {!g.judgeable ? (
                  <span class="status" title={g.note ?? undefined}>
                    {g.flags.length > 0 ? "outcome rates too small to judge" : "too small to judge"}
                  </span>
                ) : g.flags.length > 0 ? null : (
                  <span class="muted">{g.note ?? "within the band"}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One select per attribute: its reference group, the largest marked as the default. */
function ReferenceChoice({ a }: { a: FairnessReport["attributes"][number] }) {
  const id = `reference-${a.attribute}`;
  const largest = largestGroup(a.groups);
  return (
    <div>
      <label for={id}>Reference for {labelOf(a)}</label>
      <select id={id} name="reference">
        {a.groups.map((g) => (
          <option value={`${a.attribute}:${g.value}`} selected={g.value === a.reference}>
            {g.value}
            {g.value === largest ? " (the largest)" : ""}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Fairness({ m, view }: { m: ModelRow; view: FairnessView }) {
  if (!view) return <p class="muted">This model has no stored fairness report (models trained before fairness reports need retraining).</p>;
  const { report, capacities } = view;
  const segments = report.attributes.filter((a) => a.kind === "segment");
  const deciles = report.attributes.filter((a) => a.kind === "score-decile");
  return (
    <section class="card" aria-labelledby="fairness-title" id="fairness">
      <h2 id="fairness-title">Fairness by segment</h2>
      <p>
        The top {fmtPercent(report.capacity)} of the {fmtInt(report.n)} validation files ({fmtInt(report.k)} files) are selected. Each rate is compared with the
        reference group's (the ratio); a ratio outside {fmtNumber(report.band.low)}–{fmtNumber(report.band.high)} is flagged when both groups have at least{" "}
        {fmtInt(report.minFiles)} files and {fmtInt(report.minPositives)} irregularities; smaller groups are too small to judge.
      </p>
      <form method="get" action={`/app/models/${m.id}#fairness`} class="row">
        <div>
          <label for="fairness-capacity">Share of files controlled</label>
          <select id="fairness-capacity" name="capacity">
            {capacities.map((capacity) => (
              <option value={String(capacity)} selected={capacity === report.capacity}>
                {fmtPercent(capacity)}
              </option>
            ))}
          </select>
        </div>
        {report.attributes.map((a) => (
          <ReferenceChoice a={a} />
        ))}
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      {segments.length === 0 ? (
        <p class="muted">The feature schema names no segment attribute.</p>
      ) : (
        segments.map((a) => <AttributeTable report={report} a={a} />)
      )}
      {deciles.length > 0 && (
        <>
          <h3>By score decile</h3>
          <p class="muted">
            A sanity check rather than a fairness figure: decile 1 holds the tenth of files the model scores highest. The selection falls in the top deciles only, and the base
            rate should fall from decile 1 down; where it does not, the model ranks poorly.
          </p>
          {deciles.map((a) => (
            <AttributeTable report={report} a={a} />
          ))}
        </>
      )}
    </section>
  );
}
