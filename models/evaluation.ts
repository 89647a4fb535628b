import { z } from "zod";
import {
  aucRoc,
  brierScore,
  countPositives,
  expectedHitsCurve,
  logLoss,
  prAuc,
  rankDescending,
} from "./metrics.js";

/** One score bin of a calibration table: is a predicted 8 % really 8 %? */
export interface CalibrationBin {
  bin: number;
  n: number;
  minScore: number;
  maxScore: number;
  meanScore: number;
  observedRate: number;
}

/**
 * Equal-count score bins (deciles by default), lowest scores first. Rows are split by rank, so
 * a tie run may straddle two bins; each bin reports its own n.
 */
export const calibrationTable = (
  labels: Uint8Array,
  scores: ArrayLike<number>,
  bins = 10,
  descending = rankDescending(scores),
): CalibrationBin[] => {
  const n = labels.length;
  const order = descending.slice().reverse();
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let sum = 0;
    let pos = 0;
    for (let i = start; i < end; i++) {
      sum += scores[order[i]];
      pos += labels[order[i]];
    }
    table.push({
      bin: b + 1,
      n: end - start,
      minScore: scores[order[start]],
      maxScore: scores[order[end - 1]],
      meanScore: sum / (end - start),
      observedRate: pos / (end - start),
    });
  }
  return table;
};

/** A point of the cumulative gains curve: controlling the top `fraction` finds `recall` of positives. */
export interface GainsPoint {
  fraction: number;
  k: number;
  recall: number;
  precision: number;
}

/** Cumulative gains at `points` + 1 evenly spaced list fractions (0 … 1), ties pro rata. */
export const gainsCurve = (labels: Uint8Array, scores: ArrayLike<number>, points = 100): GainsPoint[] => {
  const hits = expectedHitsCurve(labels, scores);
  return gainsFromHits(hits, labels.length, countPositives(labels), points);
};

const gainsFromHits = (hits: Float64Array, n: number, P: number, points: number): GainsPoint[] =>
  Array.from({ length: points + 1 }, (_, i) => {
    const k = Math.round((i / points) * n);
    return { fraction: i / points, k, recall: P ? hits[k] / P : Number.NaN, precision: k ? hits[k] / k : Number.NaN };
  });

/** A point of the ROC curve (false positive rate, true positive rate), one per gains point. */
export interface RocPoint {
  fpr: number;
  tpr: number;
}

/** A point of the precision–recall curve, one per gains point (k ≥ 1). */
export interface PrPoint {
  recall: number;
  precision: number;
}

const rocFromGains = (gains: GainsPoint[], hits: Float64Array, n: number, P: number): RocPoint[] =>
  gains.map(({ k }) => ({ fpr: n - P ? (k - hits[k]) / (n - P) : Number.NaN, tpr: P ? hits[k] / P : Number.NaN }));

/** Top-k figures for one list size. `hits` is the expected number of positives found. */
export interface TopKFigures {
  k: number;
  hits: number;
  precision: number;
  recall: number;
  lift: number;
}

/** Which operating points to report: capacities as fractions of all rows, list sizes as counts. */
export const EvaluationOptions = z.object({
  capacities: z.array(z.number().gt(0).lte(1)).default([0.01, 0.05, 0.1, 0.2]),
  listSizes: z.array(z.number().int().positive()).default([100, 500, 1000]),
  calibrationBins: z.number().int().min(2).default(10),
  gainsPoints: z.number().int().min(2).default(100),
});
export type EvaluationOptions = z.input<typeof EvaluationOptions>;

/** Every figure of one evaluation; n and positives say how many rows the figures rest on. */
export interface EvaluationReport {
  n: number;
  positives: number;
  baseRate: number;
  aucRoc: number;
  prAuc: number;
  brier: number;
  logLoss: number;
  atCapacity: (TopKFigures & { capacity: number })[];
  atListSize: TopKFigures[];
  calibration: CalibrationBin[];
  gains: GainsPoint[];
  /** Curve points for drawing (the same cut points as gains): ROC and precision–recall. */
  roc: RocPoint[];
  pr: PrPoint[];
}

/**
 * Evaluates calibrated scores against outcomes with one sort: ranking quality (ROC AUC, PR AUC),
 * probability quality (Brier, log loss, calibration deciles) and what a control list of a given
 * capacity would find (precision, recall and lift at k). NaN marks a figure that is undefined
 * (e.g. no positives); JSON turns it into null.
 */
export const evaluateScores = (
  labels: Uint8Array,
  scores: ArrayLike<number>,
  options: EvaluationOptions = {},
): EvaluationReport => {
  const opts = EvaluationOptions.parse(options);
  const n = labels.length;
  const positives = countPositives(labels);
  const baseRate = n ? positives / n : Number.NaN;
  const order = rankDescending(scores);
  const hits = expectedHitsCurve(labels, scores, order);
  const gains = gainsFromHits(hits, n, positives, opts.gainsPoints);
  const figures = (k: number): TopKFigures => {
    const kk = Math.max(0, Math.min(n, Math.round(k)));
    const precision = kk ? hits[kk] / kk : Number.NaN;
    return {
      k: kk,
      hits: hits[kk],
      precision,
      recall: positives ? hits[kk] / positives : Number.NaN,
      lift: positives ? precision / baseRate : Number.NaN,
    };
  };
  return {
    n,
    positives,
    baseRate,
    aucRoc: aucRoc(labels, scores, order),
    prAuc: prAuc(labels, scores, order),
    brier: n ? brierScore(labels, scores) : Number.NaN,
    logLoss: n ? logLoss(labels, scores) : Number.NaN,
    // A capacity always lists at least one file, so 1 % of 20 rows is 1, not 0.
    atCapacity: opts.capacities.map((capacity) => ({ capacity, ...figures(Math.max(1, Math.round(capacity * n))) })),
    atListSize: opts.listSizes.map((k) => figures(k)),
    calibration: calibrationTable(labels, scores, opts.calibrationBins, order),
    gains,
    roc: rocFromGains(gains, hits, n, positives),
    pr: gains.filter((g) => g.k > 0).map((g) => ({ recall: g.recall, precision: g.precision })),
  };
};
