import { toLevel, toNumber, quantileSorted } from "./coerce.js";
import { parseDate } from "./dates.js";
import {
  type CategoricalReference,
  DRIFT_BANDS,
  type DriftAccumulator,
  type DriftBand,
  type DriftReference,
  type DriftReport,
  type FeatureCounts,
  type FeatureDrift,
  type FeatureReference,
  type NumericReference,
} from "./drift-schema.js";
import type { AttributeType, AttributeValue } from "./feature-schema.js";

/**
 * Drift of a scored population against the training population of the model, as population
 * stability indices (PSI). The reference is built once at training time; a scoring chunk counts its
 * files into an accumulator in the reference's bins; accumulators merge (sums), so a run of any
 * size gets its report from its chunks' counts without a second pass over the files.
 */

/** Quantile bins of the reference: deciles, fewer when values repeat. */
const QUANTILE_BINS = 10;
/** Named unseen levels kept per feature (the count is always complete). */
const MAX_UNSEEN_NAMES = 20;
/** Empty bins count as this share, so PSI stays finite (a level never seen in training still weighs). */
const PSI_FLOOR = 1e-4;

/** A column of one attribute as the workers hold it: numbers (NaN = missing) or raw values. */
export type DriftColumn = ArrayLike<number> | ArrayLike<AttributeValue>;

const numberOf = (type: AttributeType, v: number | AttributeValue): number =>
  typeof v === "number" ? (Number.isFinite(v) ? v : Number.NaN) : type === "date" ? parseDate(v) : toNumber(v);

/** Bin of a non-missing value: the first edge it does not exceed, else the last bin. */
export const binOf = (edges: readonly number[], v: number): number => {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

/** Numeric reference: cut points at the deciles of the non-missing values (distinct), counts per bin. */
export const numericReference = (name: string, values: ArrayLike<number>): NumericReference => {
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present.push(values[i]);
  const sorted = Float64Array.from(present).sort();
  const edges: number[] = [];
  for (let q = 1; q < QUANTILE_BINS; q++) {
    const e = quantileSorted(sorted, q / QUANTILE_BINS);
    if (!Number.isNaN(e) && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sorted) counts[binOf(edges, v)]++;
  return { name, kind: "numeric", edges, counts, missing: values.length - present.length, n: values.length };
};

/** Categorical reference: count per level seen in training (sorted), and missing. */
export const categoricalReference = (name: string, values: ArrayLike<AttributeValue>): CategoricalReference => {
  const byLevel = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const level = toLevel(values[i]);
    if (level === null) missing++;
    else byLevel.set(level, (byLevel.get(level) ?? 0) + 1);
  }
  const levels = [...byLevel.keys()].sort();
  return { name, kind: "categorical", levels, counts: levels.map((l) => byLevel.get(l) ?? 0), missing, n: values.length };
};

const isNumericType = (type: AttributeType) => type === "numeric" || type === "date";

/** The training population's reference: every feature attribute, and the validation scores. */
export const driftReference = (
  attributes: readonly { name: string; type: AttributeType }[],
  columns: Record<string, DriftColumn>,
  rows: number,
  validationScores: ArrayLike<number>,
): DriftReference => ({
  version: 1,
  rows,
  features: attributes.map((a) => {
    const col = columns[a.name] ?? new Array<AttributeValue>(rows).fill(null);
    if (!isNumericType(a.type)) return categoricalReference(a.name, col as ArrayLike<AttributeValue>);
    return numericReference(a.name, Float64Array.from({ length: rows }, (_, i) => numberOf(a.type, col[i])));
  }),
  score: numericReference("score", validationScores),
});

const emptyCounts = (ref: FeatureReference): FeatureCounts => ({
  counts: new Array<number>(ref.counts.length).fill(0),
  missing: 0,
  unseen: 0,
  unseenLevels: [],
});

export const emptyAccumulator = (ref: DriftReference): DriftAccumulator => ({
  n: 0,
  features: ref.features.map(emptyCounts),
  score: emptyCounts(ref.score),
});

const countNumeric = (ref: NumericReference, into: FeatureCounts, values: ArrayLike<number>) => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) into.missing++;
    else into.counts[binOf(ref.edges, v)]++;
  }
};

/**
 * Counts a chunk into an accumulator (mutated and returned). `types` gives each reference
 * feature's attribute type (dates are read as numbers); columns are the chunk's, by name.
 */
export const accumulate = (
  ref: DriftReference,
  acc: DriftAccumulator,
  types: Record<string, AttributeType>,
  columns: Record<string, DriftColumn>,
  scores: ArrayLike<number>,
): DriftAccumulator => {
  const n = scores.length;
  ref.features.forEach((f, j) => {
    const col = columns[f.name];
    const into = acc.features[j];
    if (!col) {
      into.missing += n;
      return;
    }
    if (f.kind === "numeric") {
      const type = types[f.name] ?? "numeric";
      // Numeric columns already arrive as numbers (NaN = missing): no copy.
      const values = col instanceof Float64Array ? col : Float64Array.from({ length: n }, (_, i) => numberOf(type, col[i]));
      countNumeric(f, into, values);
      return;
    }
    const index = new Map(f.levels.map((l, i) => [l, i]));
    for (let i = 0; i < n; i++) {
      const level = toLevel(col[i] as AttributeValue);
      if (level === null) {
        into.missing++;
        continue;
      }
      const at = index.get(level);
      if (at !== undefined) into.counts[at]++;
      else {
        into.unseen++;
        if (into.unseenLevels.length < MAX_UNSEEN_NAMES && !into.unseenLevels.includes(level)) into.unseenLevels.push(level);
      }
    }
  });
  countNumeric(ref.score, acc.score, scores);
  acc.n += n;
  return acc;
};

const mergeCounts = (a: FeatureCounts, b: FeatureCounts): FeatureCounts => ({
  counts: a.counts.map((c, i) => c + b.counts[i]),
  missing: a.missing + b.missing,
  unseen: a.unseen + b.unseen,
  unseenLevels: [...new Set([...a.unseenLevels, ...b.unseenLevels])].slice(0, MAX_UNSEEN_NAMES),
});

/** Sum of two accumulators of the same reference (order does not matter for the counts). */
export const mergeAccumulators = (a: DriftAccumulator, b: DriftAccumulator): DriftAccumulator => ({
  n: a.n + b.n,
  features: a.features.map((f, i) => mergeCounts(f, b.features[i])),
  score: mergeCounts(a.score, b.score),
});

/** PSI = Σ (actual − expected) × ln(actual / expected) over shares, empty shares floored. */
export const psi = (expected: readonly number[], actual: readonly number[]): number => {
  const e = expected.reduce((s, x) => s + x, 0);
  const a = actual.reduce((s, x) => s + x, 0);
  if (e === 0 || a === 0) return 0;
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const p = Math.max(expected[i] / e, PSI_FLOOR);
    const q = Math.max(actual[i] / a, PSI_FLOOR);
    total += (q - p) * Math.log(q / p);
  }
  return total;
};

/** Stable under 0.1, watch from 0.1 to 0.25 (both included), alarm above 0.25. */
export const driftBand = (value: number): DriftBand => (value > DRIFT_BANDS.alarm ? "alarm" : value >= DRIFT_BANDS.watch ? "watch" : "stable");

const fmtEdge = (x: number) => (Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : String(Math.round(x * 1000) / 1000));

const binLabels = (ref: FeatureReference): string[] =>
  ref.kind === "categorical"
    ? ref.levels
    : ref.counts.map((_, i) =>
        i === 0 ? `≤ ${fmtEdge(ref.edges[0] ?? Number.NaN)}` : i === ref.edges.length ? `> ${fmtEdge(ref.edges[i - 1])}` : `(${fmtEdge(ref.edges[i - 1])}, ${fmtEdge(ref.edges[i])}]`,
      );

/** One feature's drift: PSI over its bins + missing (+ unseen levels for categorical ones). */
export const featureDrift = (ref: FeatureReference, got: FeatureCounts): FeatureDrift => {
  const expected = [...ref.counts, ref.missing, ...(ref.kind === "categorical" ? [0] : [])];
  const actual = [...got.counts, got.missing, ...(ref.kind === "categorical" ? [got.unseen] : [])];
  const labels = [...binLabels(ref), "(missing)", ...(ref.kind === "categorical" ? ["(unseen)"] : [])];
  const value = psi(expected, actual);
  const e = expected.reduce((s, x) => s + x, 0);
  const a = actual.reduce((s, x) => s + x, 0);
  const refRate = e > 0 ? ref.missing / e : null;
  const curRate = a > 0 ? got.missing / a : null;
  return {
    name: ref.name,
    kind: ref.kind,
    psi: value,
    band: driftBand(value),
    missingRate: { reference: refRate, current: curRate, change: refRate !== null && curRate !== null ? curRate - refRate : null },
    unseen: got.unseen,
    unseenLevels: got.unseenLevels,
    bins: labels.map((bin, i) => ({ bin, expected: e > 0 ? expected[i] / e : 0, actual: a > 0 ? actual[i] / a : 0 })),
  };
};

const RANK: Record<DriftBand, number> = { stable: 0, watch: 1, alarm: 2 };

/** 3 decimals, more when rounding would print the alarm edge itself ("0.250 > 0.25"). */
const psiText = (x: number): string => (Number(x.toFixed(3)) <= DRIFT_BANDS.alarm ? x.toFixed(5) : x.toFixed(3));

/** The run's drift report from the merged counts of its chunks. */
export const driftReport = (ref: DriftReference, acc: DriftAccumulator): DriftReport => {
  const features = ref.features.map((f, i) => featureDrift(f, acc.features[i]));
  const prediction = featureDrift(ref.score, acc.score);
  const all = [...features, prediction];
  const band = all.reduce<DriftBand>((worst, f) => (RANK[f.band] > RANK[worst] ? f.band : worst), "stable");
  const alarms = all
    .filter((f) => f.band === "alarm")
    .map((f) => `${f === prediction ? "prediction (score distribution)" : f.name}: PSI ${psiText(f.psi)} > ${DRIFT_BANDS.alarm}`);
  return { referenceRows: ref.rows, rows: acc.n, bands: { ...DRIFT_BANDS }, features, prediction, band, alarm: alarms.length > 0, alarms };
};
