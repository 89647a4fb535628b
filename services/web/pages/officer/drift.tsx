import { type DriftBand, type DriftReport, DriftReportSchema, type FeatureDrift } from "../../../../models/drift-schema.js";
import { fmtInt, fmtNumber, fmtPercent } from "../../format.js";
import { scrollBox } from "../../scroll-box.js";

/**
 * A finished run's drift against its model's training population (scoring_runs.drift, as GET
 * /v1/scoring-runs/:id gives it): the overall band, the alarms in words, and the features that
 * moved most by PSI. The full bins stay in the API and the model card; a page lists the top few.
 */
const TOP_FEATURES = 5;

const BAND_WORDS: Record<DriftBand, string> = {
  stable: "the scored files look like the training population",
  watch: "some attributes have moved; keep an eye on them",
  alarm: "the scored files differ from the training population; the model's figures may not hold for them",
};

/** The stored report, or null while the run is not finished (or for runs from before drift). */
export const storedDrift = (drift: unknown): DriftReport | null => {
  const parsed = DriftReportSchema.safeParse(drift);
  return parsed.success ? parsed.data : null;
};

/** PSI with 3 decimals: the bands are at 0.1 and 0.25. */
const psi = (x: number) => fmtNumber(Math.round(x * 1000) / 1000);

function FeatureRow({ f, label }: { f: FeatureDrift; label: string }) {
  const missing = f.missingRate;
  return (
    <tr data-feature={f.name}>
      <th scope="row">{label}</th>
      <td class="num">{psi(f.psi)}</td>
      <td>
        <span class={`status status-${f.band}`}>{f.band}</span>
      </td>
      <td class="num">
        {fmtPercent(missing.reference)} → {fmtPercent(missing.current)}
      </td>
      <td>{f.unseen > 0 ? `${fmtInt(f.unseen)} (${f.unseenLevels.join(", ")})` : "—"}</td>
    </tr>
  );
}

export function Drift({ drift }: { drift: unknown }) {
  const report = storedDrift(drift);
  if (!report) return null;
  const top = [...report.features].sort((a, b) => b.psi - a.psi).slice(0, TOP_FEATURES);
  return (
    <section class="card" id="drift" aria-labelledby="drift-title">
      <h2 id="drift-title">Drift</h2>
      <p data-testid="drift-band">
        <span class={`status status-${report.band}`}>{report.band}</span> {BAND_WORDS[report.band]}.
      </p>
      {report.alarms.length > 0 && (
        <div class="notice bad" role="alert">
          <ul class="reasons">
            {report.alarms.map((a) => (
              <li>{a}</li>
            ))}
          </ul>
        </div>
      )}
      <p class="muted">
        {fmtInt(report.rows)} scored files against {fmtInt(report.referenceRows)} training files. Population stability index (PSI): under {fmtNumber(report.bands.watch)} stable,
        up to {fmtNumber(report.bands.alarm)} watch, above alarm.
      </p>
      <div {...scrollBox({ label: "Drift by attribute" })}>
        <table>
          <caption>The score distribution and the {fmtInt(top.length)} attributes that moved most</caption>
          <thead>
            <tr>
              <th scope="col">Attribute</th>
              <th scope="col" class="num">PSI</th>
              <th scope="col">Band</th>
              <th scope="col" class="num">Missing (training → now)</th>
              <th scope="col">Unseen values</th>
            </tr>
          </thead>
          <tbody>
            <FeatureRow f={report.prediction} label="score (prediction)" />
            {top.map((f) => (
              <FeatureRow f={f} label={f.name.replaceAll("_", " ")} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
