import { tf } from "./backend.js";
import type { PlattCalibration } from "./calibration.js";
import { forwardLogits, type NetworkTensors } from "./network.js";

/**
 * Per-row reasons: for each row the topK attributes with the largest |contribution|, where
 * contribution = Σ over the attribute's encoded columns of a · ∂z/∂x · (x − baseline), i.e.
 * gradient × (input − baseline) on the calibrated logit a·z + b. The baseline is the encoded
 * typical row (encodeBaseline: training medians and most frequent levels), so a reason says
 * how far this file's value pushes its score away from a typical file's, in log-odds.
 * Gradient × input is a first-order (local linear) attribution: cheap enough for a million
 * rows, exact for logistic regression, approximate for the MLP.
 */
export interface Explanations {
  nRows: number;
  topK: number;
  /** Row-major nRows × topK: index into the attribute list, −1 where fewer than topK exist. */
  attribute: Int16Array;
  /** Row-major nRows × topK: signed contribution in calibrated log-odds (+ raises the score). */
  contribution: Float32Array;
}

/** What explainRows needs: the network (as tensors), calibration, baseline and column grouping. */
export interface ExplainContext {
  network: NetworkTensors;
  calibration: PlattCalibration;
  /** Encoded baseline row, length nCols. */
  baseline: Float32Array;
  /** Attribute index of each encoded column (columnAttributeIndex). */
  columnAttribute: Int32Array;
  nAttributes: number;
}

/** Rows per gradient call; the same per-call overhead argument as PREDICT_BATCH. */
export const EXPLAIN_BATCH = 65_536;

/** The nCols × nAttributes 0/1 matrix that sums columns into attributes by one matMul. */
const groupMatrix = (columnAttribute: Int32Array, nAttributes: number): Float32Array => {
  const m = new Float32Array(columnAttribute.length * nAttributes);
  columnAttribute.forEach((a, c) => {
    m[c * nAttributes + a] = 1;
  });
  return m;
};

/** Keeps the k largest |values| of one row (ties: lower attribute index first), in place. */
const topKOfRow = (
  grouped: Float32Array,
  offset: number,
  nAttributes: number,
  k: number,
  outAttr: Int16Array,
  outValue: Float32Array,
  at: number,
): void => {
  outAttr.fill(-1, at, at + k);
  outValue.fill(0, at, at + k);
  let filled = 0;
  for (let a = 0; a < nAttributes; a++) {
    const v = grouped[offset + a];
    const mag = Math.abs(v);
    if (filled === k && mag <= Math.abs(outValue[at + k - 1])) continue;
    let pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && Math.abs(outValue[at + pos - 1]) < mag) {
      outAttr[at + pos] = outAttr[at + pos - 1];
      outValue[at + pos] = outValue[at + pos - 1];
      pos--;
    }
    outAttr[at + pos] = a;
    outValue[at + pos] = v;
  }
};

/**
 * Attributions grouped by attribute for every row, in batches: also returns the full grouped
 * matrix when `full` is set (nRows × nAttributes, for tests and global importance).
 */
export const explainRows = (
  ctx: ExplainContext,
  X: Float32Array,
  nRows: number,
  options: { topK?: number; batchSize?: number; full?: boolean } = {},
): Explanations & { grouped?: Float32Array } => {
  const { network, calibration, nAttributes } = ctx;
  const nCols = network.spec.inputDim;
  const topK = Math.min(options.topK ?? 5, nAttributes);
  const batchSize = options.batchSize ?? EXPLAIN_BATCH;
  if (X.length < nRows * nCols) throw new RangeError(`X holds ${X.length} values, need ${nRows} × ${nCols}`);
  const attribute = new Int16Array(nRows * topK);
  const contribution = new Float32Array(nRows * topK);
  const grouped = options.full ? new Float32Array(nRows * nAttributes) : undefined;
  const baseline = tf.tensor2d(ctx.baseline, [1, nCols]);
  const groups = tf.tensor2d(groupMatrix(ctx.columnAttribute, nAttributes), [nCols, nAttributes]);
  // Rows are independent, so the gradient of the batch sum is every row's own gradient.
  const gradient = tf.grad((x: tf.Tensor) => tf.sum(forwardLogits(network, x as tf.Tensor2D, undefined, "input")));
  try {
    for (let start = 0; start < nRows; start += batchSize) {
      const end = Math.min(nRows, start + batchSize);
      const byAttribute = tf.tidy(() => {
        const x = tf.tensor2d(X.subarray(start * nCols, end * nCols), [end - start, nCols]);
        const contrib = tf.mul(tf.mul(gradient(x), tf.sub(x, baseline)), calibration.a);
        return tf.matMul(contrib, groups);
      });
      const values = byAttribute.dataSync() as Float32Array;
      byAttribute.dispose();
      grouped?.set(values, start * nAttributes);
      for (let r = 0; r < end - start; r++) {
        topKOfRow(values, r * nAttributes, nAttributes, topK, attribute, contribution, (start + r) * topK);
      }
    }
  } finally {
    baseline.dispose();
    groups.dispose();
  }
  return { nRows, topK, attribute, contribution, grouped };
};

/** One row's reasons as plain objects (for the scores.reasons JSON and the API). */
export const reasonsOf = (
  e: Explanations,
  row: number,
  attributeNames: readonly string[],
): { attribute: string; contribution: number }[] => {
  const out: { attribute: string; contribution: number }[] = [];
  for (let j = 0; j < e.topK; j++) {
    const a = e.attribute[row * e.topK + j];
    if (a >= 0) out.push({ attribute: attributeNames[a], contribution: e.contribution[row * e.topK + j] });
  }
  return out;
};
