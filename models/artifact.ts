import { z } from "zod";
import { tf } from "./backend.js";
import { applyPlatt, PlattCalibration } from "./calibration.js";
import { columnAttributeIndex, encodeBaseline } from "./encode.js";
import { ARTIFACT_FORMAT_VERSION, ARTIFACT_MAGIC, ModelArtifactError, readArtifactHeader } from "./artifact-header.js";
import { EncoderState } from "./encoder-state.js";
import { type Explanations, explainRows } from "./explain.js";
import { disposeNetwork, layerShapes, MlpSpec, type NetworkTensors, type NetworkWeights, toTensors } from "./network.js";
import { PREDICT_BATCH, predictLogits } from "./predict.js";

/**
 * A model artifact, self-contained and backend-neutral (stored in models.artifact as bytea):
 *
 *   bytes 0–3   "CTSM" (magic)
 *   bytes 4–7   format version, uint32 little-endian (1)
 *   bytes 8–11  header length H in bytes, uint32 little-endian
 *   12 … 12+H   header, UTF-8 JSON: { network, weights, encoder, calibration, meta }
 *   padding     zero bytes up to a multiple of 4
 *   rest        weights: float32 little-endian, concatenated in the order of header.weights
 *
 * header.weights is a tfjs weights manifest (name, shape, dtype), so the block is read with
 * tf.io.decodeWeights; nothing touches file:// (which needs tfjs-node). Float32 weights are
 * exact on every backend, so a model trained on one scores on any other.
 */
export { ModelArtifactError };

const WeightEntry = z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.literal("float32") });

const Header = z.object({
  network: MlpSpec,
  weights: z.array(WeightEntry),
  encoder: EncoderState,
  calibration: PlattCalibration,
  /** Free JSON for the service: model id, params, data digest, backend, metrics summary. */
  meta: z.record(z.string(), z.unknown()),
});

/** Everything an artifact holds. */
export interface ModelParts {
  network: NetworkWeights;
  encoder: EncoderState;
  calibration: PlattCalibration;
  meta: Record<string, unknown>;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serialises a trained model into one byte array (see the layout above). */
export const serializeModel = (parts: ModelParts): Uint8Array => {
  if (!littleEndian) throw new ModelArtifactError("big-endian platforms are not supported");
  const { network, encoder, calibration, meta } = parts;
  if (network.spec.inputDim !== encoder.nCols) {
    throw new ModelArtifactError(`network expects ${network.spec.inputDim} columns, encoder gives ${encoder.nCols}`);
  }
  const shapes = layerShapes(network.spec);
  const tensors: { name: string; shape: number[]; values: Float32Array }[] = [];
  shapes.forEach(([i, o], l) => {
    tensors.push({ name: `dense_${l}/kernel`, shape: [i, o], values: network.kernels[l] });
    tensors.push({ name: `dense_${l}/bias`, shape: [o], values: network.biases[l] });
  });
  const header = new TextEncoder().encode(
    JSON.stringify({
      network: network.spec,
      weights: tensors.map(({ name, shape }) => ({ name, shape, dtype: "float32" })),
      encoder,
      calibration,
      meta,
    }),
  );
  const weightsStart = Math.ceil((12 + header.length) / 4) * 4;
  const weightBytes = tensors.reduce((s, t) => s + t.values.length * 4, 0);
  const bytes = new Uint8Array(weightsStart + weightBytes);
  bytes.set(ARTIFACT_MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, ARTIFACT_FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let at = weightsStart;
  for (const t of tensors) {
    bytes.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    at += t.values.byteLength;
  }
  return bytes;
};

/** Reads an artifact back into plain parts (typed-array weights), validating every field. */
export const deserializeModel = (bytes: Uint8Array): ModelParts => {
  const raw = readArtifactHeader(bytes);
  const parsed = Header.safeParse(raw.header);
  if (!parsed.success) throw new ModelArtifactError(`corrupt artifact header: ${parsed.error.message}`);
  const header = parsed.data;
  const { weightsStart } = raw;
  const expected = header.weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.length - weightsStart !== expected) throw new ModelArtifactError("weights block has the wrong length");
  // Copy into a fresh, aligned buffer; tf.io.decodeWeights then slices it per manifest entry.
  const block = bytes.slice(weightsStart).buffer;
  const named = tf.io.decodeWeights(block, header.weights);
  try {
    const shapes = layerShapes(header.network);
    const read = (name: string) => named[name]?.dataSync().slice() as Float32Array | undefined;
    const kernels = shapes.map((_, l) => read(`dense_${l}/kernel`));
    const biases = shapes.map((_, l) => read(`dense_${l}/bias`));
    if (kernels.some((k) => !k) || biases.some((b) => !b)) throw new ModelArtifactError("artifact lacks a layer's weights");
    return {
      network: { spec: header.network, kernels: kernels as Float32Array[], biases: biases as Float32Array[] },
      encoder: header.encoder,
      calibration: header.calibration,
      meta: header.meta,
    };
  } finally {
    tf.dispose(Object.values(named));
  }
};

/** A model ready to score: predict and explain on the current tfjs backend. */
export interface LoadedModel extends ModelParts {
  /** Calibrated probabilities for a row-major encoded matrix, in batches of `batchSize`. */
  predict(X: Float32Array, nRows: number, batchSize?: number): Float32Array;
  /** Uncalibrated network logits (for diagnostics and re-calibration). */
  predictLogits(X: Float32Array, nRows: number, batchSize?: number): Float32Array;
  /** The topK reasons per row (see explainRows), attribute indices into encoder.attributes. */
  explain(X: Float32Array, nRows: number, options?: { topK?: number; batchSize?: number }): Explanations;
  /** Attribute names in index order, for reading Explanations.attribute. */
  attributeNames: string[];
  /** Frees the model's tensors; the model uploads them again if used afterwards. */
  dispose(): void;
}

/**
 * Loads an artifact for scoring. Tensors are uploaded on first use to whatever backend is
 * current then (tfjs moves them if the backend changes later), so load works before or after
 * selectBackend and in any worker thread.
 */
export const loadModel = (bytes: Uint8Array): LoadedModel => wrapModel(deserializeModel(bytes));

/** Wraps in-memory parts (e.g. straight after training) with predict and explain. */
export const wrapModel = (parts: ModelParts): LoadedModel => {
  let tensors: NetworkTensors | undefined;
  const net = (): NetworkTensors => (tensors ??= toTensors(parts.network));
  const baseline = encodeBaseline(parts.encoder);
  const columnAttribute = columnAttributeIndex(parts.encoder);
  return {
    ...parts,
    attributeNames: parts.encoder.attributes.map((a) => a.name),
    predictLogits: (X, nRows, batchSize = PREDICT_BATCH) => predictLogits(net(), X, nRows, batchSize),
    predict: (X, nRows, batchSize = PREDICT_BATCH) =>
      applyPlatt(parts.calibration, predictLogits(net(), X, nRows, batchSize)),
    explain: (X, nRows, options = {}) =>
      explainRows(
        { network: net(), calibration: parts.calibration, baseline, columnAttribute, nAttributes: parts.encoder.attributes.length },
        X,
        nRows,
        options,
      ),
    dispose: () => {
      if (tensors) disposeNetwork(tensors);
      tensors = undefined;
    },
  };
};
