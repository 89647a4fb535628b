import { tf } from "./backend.js";
import { forwardLogits, type NetworkTensors } from "./network.js";

/**
 * Rows per predict call. tfjs-wasm's per-call overhead dominates small batches (DESIGN.md,
 * Known pitfalls: 200k rows took 22 s at batch 1024 and 0.64 s at 65536), while 65536 rows of
 * 60 columns are a 16 MB upload, which the wasm heap holds easily.
 */
export const PREDICT_BATCH = 65_536;

/**
 * Raw network logits for a row-major matrix, batch by batch, into one Float32Array. Never
 * returns a typed array from inside tf.tidy: tidy walks its result looking for tensors, which
 * costs a loop over every element.
 */
export const predictLogits = (
  net: NetworkTensors,
  X: Float32Array,
  nRows: number,
  batchSize = PREDICT_BATCH,
): Float32Array => {
  const nCols = net.spec.inputDim;
  if (X.length < nRows * nCols) throw new RangeError(`X holds ${X.length} values, need ${nRows} × ${nCols}`);
  const out = new Float32Array(nRows);
  for (let start = 0; start < nRows; start += batchSize) {
    const end = Math.min(nRows, start + batchSize);
    const logits = tf.tidy(() => forwardLogits(net, tf.tensor2d(X.subarray(start * nCols, end * nCols), [end - start, nCols])));
    out.set(logits.dataSync(), start);
    logits.dispose();
  }
  return out;
};
