import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deserializeModel, loadModel, ModelArtifactError, serializeModel, wrapModel } from "../../../models/artifact.js";
import { selectBackend, tf } from "../../../models/backend.js";
import { type TrainResult, trainModel } from "../../../models/train.js";
import { syntheticTask } from "./fixtures/synthetic.js";

const task = syntheticTask({ rows: 3000, valRows: 1000, seed: 13 });
let trained: TrainResult;

describe("serializeModel / loadModel", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
    trained = await trainModel({ ...task, seed: 1, params: { maxEpochs: 3, batchSize: 256 } });
  });
  afterAll(async () => {
    await selectBackend("wasm");
  });

  const parts = () => ({
    network: trained.network,
    encoder: task.encoder,
    calibration: trained.calibration,
    meta: { modelId: "m-1", seed: 1 },
  });

  it("round-trips weights, encoder, calibration and meta exactly", () => {
    const back = deserializeModel(serializeModel(parts()));
    expect(back.network.kernels).toEqual(trained.network.kernels);
    expect(back.network.biases).toEqual(trained.network.biases);
    expect(back.encoder).toEqual(task.encoder);
    expect(back.calibration).toEqual(trained.calibration);
    expect(back.meta).toEqual({ modelId: "m-1", seed: 1 });
  });

  it("scores the validation rows as training did", () => {
    const model = loadModel(serializeModel(parts()));
    const p = model.predict(task.valX, task.valY.length);
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - trained.valScores[i])).toBeLessThan(1e-6);
    model.dispose();
  });

  it("scores identically (within 1e-5) on cpu after training on wasm", async () => {
    const bytes = serializeModel(parts());
    const onWasm = wrapModel(parts());
    const pWasm = onWasm.predict(task.valX, task.valY.length);
    const eWasm = onWasm.explain(task.valX, 50);
    onWasm.dispose();
    await selectBackend("cpu");
    expect(tf.getBackend()).toBe("cpu");
    const model = loadModel(bytes);
    const pCpu = model.predict(task.valX, task.valY.length, 333);
    let maxDiff = 0;
    for (let i = 0; i < pCpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pCpu[i] - pWasm[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    const eCpu = model.explain(task.valX, 50);
    for (let i = 0; i < eCpu.contribution.length; i++) expect(eCpu.contribution[i]).toBeCloseTo(eWasm.contribution[i], 4);
    model.dispose();
  });

  it("rejects bytes that are not an artifact or are truncated", () => {
    const bytes = serializeModel(parts());
    expect(() => loadModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toThrow(ModelArtifactError);
    expect(() => loadModel(bytes.subarray(0, bytes.length - 4))).toThrow(ModelArtifactError);
    const corrupt = bytes.slice();
    corrupt[14] = 0x7b;
    expect(() => loadModel(corrupt)).toThrow(ModelArtifactError);
  });

  it("refuses a network whose input size differs from the encoder's", () => {
    const p = parts();
    expect(() => serializeModel({ ...p, network: { ...p.network, spec: { ...p.network.spec, inputDim: 2 } } })).toThrow(
      ModelArtifactError,
    );
  });
});
