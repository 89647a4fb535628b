import type { FigureComparison, ModelMetricsJson, Verdict } from "../../models/index.js";

/**
 * The verdict of a model as people read it in a terminal: one row per figure, the model's value
 * with its interval, then each yardstick's value and the difference with its interval, marked
 * better / tie / worse. `models train --wait` and `models show` print it; `--json` prints the
 * model instead.
 */

type ModelView = {
  id: string;
  name?: string | null;
  status: string;
  error?: string | null;
  counts?: Record<string, number> | null;
  progress?: Record<string, unknown> | null;
  metrics?: Partial<ModelMetricsJson> | null;
  approvalWarnings?: string[] | null;
};

const YARDSTICKS: Record<string, string> = { random: "random", logistic: "logistic", champion: "active model" };
const MARK = { better: "better", tie: "tie", worse: "WORSE" } as const;

const num = (x: number | null | undefined, digits = 3) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "-");
const pct = (c: number) => `${Math.round(c * 1000) / 10}%`;

const figureLabel = (f: FigureComparison): string => {
  const names = { aucRoc: "ROC-AUC", prAuc: "PR-AUC", precision: "precision", recall: "recall", yield: "positives found" };
  return f.capacity === null ? names[f.figure] : `${names[f.figure]} @ ${pct(f.capacity)}`;
};

const digitsOf = (f: FigureComparison) => (f.figure === "yield" ? 1 : 3);

const withInterval = (i: { value: number | null; low: number | null; high: number | null }, digits: number) =>
  `${num(i.value, digits)} [${num(i.low, digits)}, ${num(i.high, digits)}]`;

const signed = (i: { value: number | null; low: number | null; high: number | null }, digits: number) => {
  const s = (x: number | null) => (x === null ? "-" : `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`);
  return `${s(i.value)} [${s(i.low)}, ${s(i.high)}]`;
};

/** Columns padded to their widest cell, two spaces apart. */
export const alignColumns = (rows: string[][]): string[] => {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd());
};

/** The comparison table: a row per figure, model then each yardstick with the difference. */
export const verdictTable = (v: Verdict): string[] => {
  const header = ["figure", `model [${Math.round(v.level * 100)}% interval]`, ...v.comparisons.flatMap((c) => [YARDSTICKS[c.baseline] ?? c.baseline, "difference", ""])];
  const rows = v.comparisons[0]?.figures.map((f, i) => {
    const d = digitsOf(f);
    return [
      figureLabel(f),
      withInterval(f.model, d),
      ...v.comparisons.flatMap((c) => {
        const g = c.figures[i];
        return [num(g.baseline.value, d), signed(g.difference, d), MARK[g.outcome]];
      }),
    ];
  });
  return alignColumns([header, ...(rows ?? [])]);
};

const stopWords: Record<string, string> = {
  patience: "stopped early (no better validation PR-AUC)",
  "max-epochs": "ran every epoch",
  budget: "stopped at the training budget",
  callback: "stopped on request",
};

/** The whole report: status, training, the verdict in words, the table, and approval warnings. */
export const modelReport = (m: ModelView): string => {
  const lines = [`model ${m.id}${m.name ? ` (${m.name})` : ""}: ${m.status}${m.error ? ` — ${m.error}` : ""}`];
  const t = m.metrics?.training;
  if (t) {
    const stopped = t.history[t.history.length - 1]?.epoch ?? 0;
    lines.push(`training: ${stopWords[t.stopReason] ?? t.stopReason} at epoch ${stopped}, best epoch ${t.bestEpoch} kept, ${(t.durationMs / 1000).toFixed(1)} s`);
  }
  if (m.counts) lines.push(`data: ${m.counts.train ?? "-"} training rows (${m.counts.trainPositives ?? "-"} positives), ${m.counts.validation ?? "-"} validation rows`);
  const v = m.metrics?.verdict;
  if (v) {
    lines.push(`verdict on ${v.n} validation files with ${v.positives} positives (${v.resamples} bootstrap resamples, ${Math.round(v.level * 100)}% intervals):`);
    for (const s of v.summary) lines.push(`  - ${s}`);
    lines.push("", ...verdictTable(v));
  } else if (m.metrics) {
    lines.push("no verdict stored with this model (trained before verdicts existed)");
  }
  if (m.approvalWarnings?.length) lines.push("", "approved over these warnings:", ...m.approvalWarnings.map((w) => `  - ${w}`));
  return `${lines.join("\n")}\n`;
};
