import { deriveSeed, mulberry32, shuffleInPlace } from "./prng.js";

/** Row indices of a training/validation split (ascending within each part). */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Seeded stratified split: each class is shuffled on its own (stream "split") and the first
 * round(fraction × class size) rows of each go to validation, so rare positives appear in both
 * parts in the same proportion. Indices are returned sorted, so row order is kept.
 */
export const stratifiedSplit = (labels: Uint8Array, validationFraction: number, seed: number): Split => {
  if (!(validationFraction > 0 && validationFraction < 1)) throw new RangeError("validationFraction must be in (0, 1)");
  const rand = mulberry32(deriveSeed(seed, "split"));
  const train: number[] = [];
  const validation: number[] = [];
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if ((labels[i] ? 1 : 0) === cls) rows.push(i);
    const idx = Int32Array.from(rows);
    shuffleInPlace(idx, rand);
    const nVal = Math.round(validationFraction * idx.length);
    // A loop, not push(...rows): spreading a million arguments overflows the stack.
    for (let i = 0; i < idx.length; i++) (i < nVal ? validation : train).push(idx[i]);
  }
  return { train: Int32Array.from(train).sort(), validation: Int32Array.from(validation).sort() };
};

/**
 * Split by time: rows at or after `cutoff` (e.g. epoch ms of the control date) validate, older
 * rows train. Closer to deployment, where a model trained on the past scores the future.
 */
export const temporalSplit = (times: ArrayLike<number>, cutoff: number): Split => {
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < times.length; i++) (times[i] >= cutoff ? validation : train).push(i);
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
};

/** Copies the given rows of a row-major matrix into a new matrix (for train/validation parts). */
export const takeRows = (X: Float32Array, nCols: number, rows: Int32Array): Float32Array => {
  const out = new Float32Array(rows.length * nCols);
  for (let i = 0; i < rows.length; i++) out.set(X.subarray(rows[i] * nCols, (rows[i] + 1) * nCols), i * nCols);
  return out;
};

/** Copies the given entries of a per-row array (labels, weights). */
export const takeValues = <T extends Uint8Array | Float32Array>(values: T, rows: Int32Array): T => {
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
};
