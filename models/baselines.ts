import { aucRoc } from "./metrics.js";
import { seededPermutation } from "./prng.js";
import { type TrainInput, type TrainResult, trainModel } from "./train.js";
import { sizeParams, type TrainParamsInput } from "./train-params.js";

/**
 * The yardsticks a new model must beat before a data officer approves it: a random order (what
 * controls without targeting find), the best single encoded column (is the network worth more
 * than one rule of thumb?) and logistic regression (is it worth more than a linear model?).
 */

/**
 * Scores in a seeded random order: (n − position) / n for a seeded permutation, so there are
 * no ties and the same seed gives the same order.
 */
export const randomBaselineScores = (nRows: number, seed: number): Float32Array => {
  const order = seededPermutation(nRows, seed);
  const scores = new Float32Array(nRows);
  for (let pos = 0; pos < nRows; pos++) scores[order[pos]] = (nRows - pos) / nRows;
  return scores;
};

/** The encoded column that alone ranks validation rows best, and the direction to read it. */
export interface SingleFeatureBaseline {
  column: number;
  /** +1: higher values mean more likely irregular; −1: lower values do. */
  sign: 1 | -1;
  /** Validation ROC AUC of sign × column (≥ 0.5 by construction). */
  valAucRoc: number;
}

/**
 * Picks the encoded column with the largest validation ROC AUC when read in either direction
 * (max(AUC, 1 − AUC)); ties go to the lower column index. Encoded columns rather than raw
 * attributes, so that a single categorical level ("region=south") can be the rule.
 */
export const fitSingleFeatureBaseline = (valX: Float32Array, valY: Uint8Array, nCols: number): SingleFeatureBaseline => {
  const nRows = valY.length;
  const column = new Float32Array(nRows);
  let best: SingleFeatureBaseline = { column: 0, sign: 1, valAucRoc: Number.NEGATIVE_INFINITY };
  for (let c = 0; c < nCols; c++) {
    for (let r = 0; r < nRows; r++) column[r] = valX[r * nCols + c];
    const auc = aucRoc(valY, column);
    if (Number.isNaN(auc)) continue;
    const oriented = auc >= 0.5 ? auc : 1 - auc;
    if (oriented > best.valAucRoc) best = { column: c, sign: auc >= 0.5 ? 1 : -1, valAucRoc: oriented };
  }
  return best;
};

/** Scores rows with a single-feature baseline: sign × the column's encoded value. */
export const singleFeatureScores = (
  baseline: SingleFeatureBaseline,
  X: Float32Array,
  nRows: number,
  nCols: number,
): Float32Array => {
  const scores = new Float32Array(nRows);
  for (let r = 0; r < nRows; r++) scores[r] = baseline.sign * X[r * nCols + baseline.column];
  return scores;
};

/**
 * Defaults for the logistic-regression baseline: the MLP trainer with no hidden layer, no
 * dropout, light L2 and a larger step (a convex problem tolerates it). Same seeded loop, so
 * equally reproducible. Batch size, epochs and patience are sized from the rows (sizeParams): the
 * former fixed 512 rows × 30 epochs gave a few hundred rows 30 steps, a baseline too weak to judge by.
 */
export const LOGISTIC_PARAMS: TrainParamsInput = {
  layers: 0,
  dropout: 0,
  l2: 1e-4,
  learningRate: 0.01,
};

/** Trains the logistic-regression baseline (calibrated, early-stopped like the main model). */
export const trainLogisticBaseline = (
  input: Omit<TrainInput, "params"> & { params?: TrainParamsInput },
): Promise<TrainResult> =>
  trainModel({ ...input, params: sizeParams({ ...LOGISTIC_PARAMS, ...input.params, layers: 0 }, input.y.length) });
