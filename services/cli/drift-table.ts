import type { DriftReport } from "../../models/drift-schema.js";
import { alignColumns } from "./verdict-table.js";

/**
 * A run's drift as people read it: one line for the verdict (ALARM in capitals, with what alarmed),
 * then a row per feature and the score distribution: PSI, band, missing rate then and now, unseen
 * levels. Worst first, so the alarms are on top.
 */

const num = (x: number | null, digits = 3) => (x === null ? "-" : x.toFixed(digits));
const RANK = { alarm: 0, watch: 1, stable: 2 } as const;

export const driftHeadline = (d: DriftReport | null): string =>
  d === null
    ? "drift: not measured (the model has no training reference)"
    : d.alarm
      ? `drift: ALARM against the training population (${d.rows} files): ${d.alarms.join("; ")}`
      : `drift: ${d.band} (worst PSI ${num(Math.max(d.prediction.psi, ...d.features.map((f) => f.psi)))}, ${d.rows} files against ${d.referenceRows} training files)`;

export const driftTable = (runId: string, d: DriftReport | null): string => {
  const lines = [`run ${runId}`, driftHeadline(d)];
  if (d) {
    lines.push(`bands: PSI < ${d.bands.watch} stable, ${d.bands.watch}-${d.bands.alarm} watch, > ${d.bands.alarm} alarm`, "");
    const rows = [d.prediction, ...d.features]
      .map((f, i) => ({ f, name: i === 0 ? "(score distribution)" : f.name }))
      .sort((a, b) => RANK[a.f.band] - RANK[b.f.band] || b.f.psi - a.f.psi)
      .map(({ f, name }) => [
        name,
        num(f.psi),
        f.band === "alarm" ? "ALARM" : f.band,
        num(f.missingRate.reference),
        num(f.missingRate.current),
        f.unseen ? `${f.unseen} (${f.unseenLevels.slice(0, 3).join(", ")}${f.unseenLevels.length > 3 ? ", …" : ""})` : "-",
      ]);
    lines.push(...alignColumns([["feature", "PSI", "band", "missing then", "now", "unseen levels"], ...rows]));
  }
  return `${lines.join("\n")}\n`;
};
