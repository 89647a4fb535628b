import { z } from "zod";
import { aucRoc, countPositives, expectedHitsCurve, prAuc, rankDescending } from "./metrics.js";
import { deriveSeed, mulberry32 } from "./prng.js";

/**
 * The verdict of an evaluation: does the model rank validation files better than each yardstick
 * (random order, logistic regression, the active model), and by how much, with paired bootstrap
 * intervals? Paired: every resample draws the same rows for the model and the yardstick, so the
 * interval is the one of the difference, much narrower than two separate intervals would suggest.
 * Stratified: positives and negatives are resampled apart, so every resample keeps the count of
 * validation positives (the figure the intervals rest on, reported beside them).
 */

export const VerdictOptions = z.object({
  capacities: z.array(z.number().gt(0).lte(1)).default([0.01, 0.05, 0.1, 0.2]),
  resamples: z.number().int().min(20).max(5000).default(300),
  level: z.number().gt(0.5).lt(1).default(0.95),
  seed: z.number().int().default(1),
});
export type VerdictOptions = z.input<typeof VerdictOptions>;

/** A figure with its bootstrap interval (percentile method). Null where undefined (e.g. no positives). */
export const Interval = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});
export type Interval = z.infer<typeof Interval>;

/** Figure names: ROC-AUC, PR-AUC, and per capacity precision, recall and yield (positives found). */
export const FIGURES = ["aucRoc", "prAuc", "precision", "recall", "yield"] as const;

export const FigureComparison = z.object({
  figure: z.enum(FIGURES),
  /** The share of files controlled, for the at-capacity figures; null for ROC-AUC and PR-AUC. */
  capacity: z.number().nullable(),
  model: Interval,
  baseline: Interval,
  /** model − baseline, with the interval of the paired difference. */
  difference: Interval,
  /** better: the whole interval of the difference is above 0; worse: below 0; else tie. */
  outcome: z.enum(["better", "tie", "worse"]),
});
export type FigureComparison = z.infer<typeof FigureComparison>;

export const BaselineComparison = z.object({
  baseline: z.string(),
  figures: z.array(FigureComparison),
  /** Better on ROC-AUC and on precision at the headline capacity (10 % unless absent). */
  beats: z.boolean(),
});
export type BaselineComparison = z.infer<typeof BaselineComparison>;

export const Verdict = z.object({
  n: z.number().int(),
  positives: z.number().int(),
  resamples: z.number().int(),
  level: z.number(),
  headlineCapacity: z.number(),
  comparisons: z.array(BaselineComparison),
  /** One sentence per yardstick, for people ("beats logistic regression on ROC-AUC by 0.04 [0.02, 0.06]"). */
  summary: z.array(z.string()),
});
export type Verdict = z.infer<typeof Verdict>;

/** Point figures of one scorer on one (re)sample, in FIGURES × capacities order. */
const figuresOf = (labels: Uint8Array, scores: Float32Array, capacities: number[]): number[] => {
  const order = rankDescending(scores);
  const n = labels.length;
  const positives = countPositives(labels);
  const hits = expectedHitsCurve(labels, scores, order);
  const out = [aucRoc(labels, scores, order), prAuc(labels, scores, order)];
  for (const c of capacities) {
    const k = Math.max(1, Math.min(n, Math.round(c * n)));
    out.push(hits[k] / k, positives ? hits[k] / positives : Number.NaN, hits[k]);
  }
  return out;
};

const figureKeys = (capacities: number[]): { figure: (typeof FIGURES)[number]; capacity: number | null }[] => [
  { figure: "aucRoc", capacity: null },
  { figure: "prAuc", capacity: null },
  ...capacities.flatMap((capacity) => (["precision", "recall", "yield"] as const).map((figure) => ({ figure, capacity }))),
];

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

const quantile = (sorted: number[], q: number): number | null => {
  if (sorted.length === 0) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
};

const interval = (value: number, draws: number[], level: number): Interval => {
  const sorted = draws.filter(Number.isFinite).sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { value: finite(value), low: quantile(sorted, tail), high: quantile(sorted, 1 - tail) };
};

/** Stratified resample: as many positives and negatives as the sample has, drawn with replacement. */
const resampleRows = (pos: Int32Array, neg: Int32Array, rand: () => number): Int32Array => {
  const rows = new Int32Array(pos.length + neg.length);
  for (let i = 0; i < pos.length; i++) rows[i] = pos[Math.floor(rand() * pos.length)];
  for (let i = 0; i < neg.length; i++) rows[pos.length + i] = neg[Math.floor(rand() * neg.length)];
  return rows;
};

const pick = <T extends Uint8Array | Float32Array>(values: T, rows: Int32Array): T => {
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
};

const YARDSTICK_NAMES: Record<string, string> = { random: "a random order", logistic: "logistic regression", champion: "the active model" };

const pct = (c: number) => `${Math.round(c * 1000) / 10} %`;
const fmt = (i: Interval) => `${i.value?.toFixed(3) ?? "-"} [${i.low?.toFixed(3) ?? "-"}, ${i.high?.toFixed(3) ?? "-"}]`;

const sentence = (c: BaselineComparison, headline: number): string => {
  const name = YARDSTICK_NAMES[c.baseline] ?? c.baseline;
  const auc = c.figures.find((f) => f.figure === "aucRoc");
  const prec = c.figures.find((f) => f.figure === "precision" && f.capacity === headline);
  const head = c.beats ? `beats ${name}` : `does not clearly beat ${name}`;
  const parts = [auc && `ROC-AUC ${auc.outcome} by ${fmt(auc.difference)}`, prec && `precision at ${pct(headline)} ${prec.outcome} by ${fmt(prec.difference)}`];
  return `${head}: ${parts.filter(Boolean).join("; ")}`;
};

/**
 * Compares `model` scores with each yardstick's scores on the same validation rows. Yardsticks
 * with scores of another length are a programming error (they must score the same rows).
 */
export const computeVerdict = (
  labels: Uint8Array,
  model: Float32Array,
  yardsticks: Record<string, Float32Array>,
  options: VerdictOptions = {},
): Verdict => {
  const opts = VerdictOptions.parse(options);
  const n = labels.length;
  for (const [name, s] of Object.entries(yardsticks)) {
    if (s.length !== n || model.length !== n) throw new RangeError(`yardstick ${name} scores ${s.length} rows, labels ${n}`);
  }
  const posRows: number[] = [];
  const negRows: number[] = [];
  labels.forEach((y, i) => (y ? posRows : negRows).push(i));
  const pos = Int32Array.from(posRows);
  const neg = Int32Array.from(negRows);
  const scorers = { model, ...yardsticks };
  const names = Object.keys(scorers) as (keyof typeof scorers)[];
  const point = Object.fromEntries(names.map((k) => [k, figuresOf(labels, scorers[k], opts.capacities)]));
  const draws = Object.fromEntries(names.map((k) => [k, [] as number[][]]));
  const rand = mulberry32(deriveSeed(opts.seed, "verdict"));
  const canResample = pos.length > 0 && neg.length > 0;
  for (let r = 0; canResample && r < opts.resamples; r++) {
    const rows = resampleRows(pos, neg, rand);
    const y = pick(labels, rows);
    for (const k of names) draws[k].push(figuresOf(y, pick(scorers[k], rows), opts.capacities));
  }
  const keys = figureKeys(opts.capacities);
  const headlineCapacity = opts.capacities.includes(0.1) ? 0.1 : opts.capacities[Math.floor(opts.capacities.length / 2)];
  const comparisons = Object.keys(yardsticks).map((name): BaselineComparison => {
    const figures = keys.map(({ figure, capacity }, f): FigureComparison => {
      const difference = interval(
        point.model[f] - point[name][f],
        draws.model.map((d, r) => d[f] - draws[name][r][f]),
        opts.level,
      );
      const outcome = difference.low !== null && difference.low > 0 ? "better" : difference.high !== null && difference.high < 0 ? "worse" : "tie";
      return {
        figure,
        capacity,
        model: interval(point.model[f], draws.model.map((d) => d[f]), opts.level),
        baseline: interval(point[name][f], draws[name].map((d) => d[f]), opts.level),
        difference,
        outcome,
      };
    });
    const better = (figure: string, capacity: number | null) => figures.find((x) => x.figure === figure && x.capacity === capacity)?.outcome === "better";
    return { baseline: name, figures, beats: better("aucRoc", null) && better("precision", headlineCapacity) };
  });
  return {
    n,
    positives: pos.length,
    resamples: canResample ? opts.resamples : 0,
    level: opts.level,
    headlineCapacity,
    comparisons,
    summary: comparisons.map((c) => sentence(c, headlineCapacity)),
  };
};
