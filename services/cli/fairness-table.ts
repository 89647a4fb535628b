import type { FairnessReport } from "../../models/fairness-schema.js";
import { alignColumns } from "./verdict-table.js";

/**
 * A model's fairness report as people read it in a terminal: per segment attribute, one row per
 * group with its counts, rates (precision and FPR with their 95 % intervals) and the ratios to the
 * reference group, flags in capitals. Groups too small to judge are listed with "too small".
 */

const num = (x: number | null, digits = 3) => (x === null ? "-" : x.toFixed(digits));
const pct = (c: number) => `${Math.round(c * 1000) / 10}%`;
const interval = (r: { value: number | null; low: number | null; high: number | null }) => `${num(r.value)} [${num(r.low)}, ${num(r.high)}]`;

const LABEL = { selectionRate: "selection", precision: "precision", fdr: "FDR", fpr: "FPR", fnr: "FNR", recall: "recall" } as const;

/** What the report is of, in its first line: a model's validation files, a run's files, a list's picks. */
export type FairnessSubject = { kind: "model" | "run" | "list"; id: string };

const headline = (s: FairnessSubject, r: FairnessReport): string => {
  const outcomes = r.labels ? `${r.positives} positives among ${r.labels.labelled} files with an outcome` : `${r.positives} positives`;
  if (s.kind === "model") return `fairness of model ${s.id} at capacity ${pct(r.capacity)}: top ${r.k} of ${r.n} validation files (${outcomes})`;
  if (s.kind === "run") return `fairness of scoring run ${s.id} at capacity ${pct(r.capacity)}: top ${r.k} of ${r.n} scored files (${outcomes})`;
  return `fairness of control list ${s.id}: ${r.k} picks among ${r.n} scored files of its unit (${outcomes}; FPR, FNR and recall unknown)`;
};

export const fairnessTable = (subject: FairnessSubject, r: FairnessReport): string => {
  const lines = [
    headline(subject, r),
    `ratios to the reference group, flagged outside ${r.band.low}-${r.band.high}; groups under ${r.minFiles} files or ${r.minPositives} positives are too small to judge`,
  ];
  for (const a of r.attributes) {
    lines.push(
      "",
      `${a.attribute}${a.kind === "score-decile" ? " (sanity view, 1 = top scores)" : ""}: reference ${a.reference} (${a.referenceChosen ? "chosen" : "largest"}); ` +
        `${a.flaggedGroups} flagged, ${a.headlineFlags} on FDR/FPR, ${a.tooSmallGroups} too small`,
    );
    const header = ["group", "files", "pos", "base rate", "selection", "precision [95%]", "FPR [95%]", "FNR", "recall", "ratio sel", "FDR", "FPR", "FNR", "flags"];
    const rows = a.groups.map((g) => [
      g.value,
      String(g.n),
      String(g.positives),
      num(g.baseRate.value),
      num(g.rates.selectionRate.value),
      interval(g.rates.precision),
      interval(g.rates.fpr),
      num(g.rates.fnr.value),
      num(g.rates.recall.value),
      num(g.disparity.selectionRate.ratio, 2),
      num(g.disparity.fdr.ratio, 2),
      num(g.disparity.fpr.ratio, 2),
      num(g.disparity.fnr.ratio, 2),
      [g.flags.map((f) => LABEL[f].toUpperCase()).join(" "), g.judgeable ? "" : g.flags.length ? "(outcomes too small)" : "too small"].filter(Boolean).join(" "),
    ]);
    lines.push(...alignColumns([header, ...rows]).map((l) => `  ${l}`));
  }
  return `${lines.join("\n")}\n`;
};
