import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend, tf } from "../../../models/backend.js";
import { TrainingDataError, trainModel } from "../../../models/train.js";
import { resolveL2, TrainParams } from "../../../models/train-params.js";
import { syntheticTask } from "./fixtures/synthetic.js";

const task = syntheticTask({ rows: 4000, valRows: 2000, seed: 3 });
const params = { maxEpochs: 6, patience: 3, batchSize: 256 };

describe("trainModel", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("learns a signal well above chance and reports progress per epoch", async () => {
    const epochs: number[] = [];
    const r = await trainModel({ ...task, params, seed: 1, onEpoch: (p) => void epochs.push(p.epoch) });
    expect(epochs).toEqual(r.history.map((h) => h.epoch));
    expect(r.history[r.bestEpoch - 1].valAucRoc).toBeGreaterThan(0.75);
    expect(r.valScores).toHaveLength(task.valY.length);
    expect(r.calibration.n).toBe(task.valY.length);
    expect(r.network.spec).toEqual({ inputDim: task.nCols, hidden: [64, 32], activation: "relu" });
    expect(r.backend).toBe("wasm");
  });

  it("gives identical weights for the same data, seed and backend", async () => {
    const a = await trainModel({ ...task, params: { ...params, maxEpochs: 2 }, seed: 7 });
    const b = await trainModel({ ...task, params: { ...params, maxEpochs: 2 }, seed: 7 });
    const c = await trainModel({ ...task, params: { ...params, maxEpochs: 2 }, seed: 8 });
    expect(b.network.kernels).toEqual(a.network.kernels);
    expect(b.network.biases).toEqual(a.network.biases);
    expect(b.calibration).toEqual(a.calibration);
    expect(c.network.kernels[0]).not.toEqual(a.network.kernels[0]);
  });

  it("leaks no tensors", async () => {
    const before = tf.memory().numTensors;
    await trainModel({ ...task, params: { ...params, maxEpochs: 2 }, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops when onEpoch returns stop, and aborts when it throws", async () => {
    const r = await trainModel({ ...task, params, seed: 1, onEpoch: (p) => (p.epoch === 2 ? "stop" : undefined) });
    expect(r.stopReason).toBe("callback");
    expect(r.history).toHaveLength(2);
    const before = tf.memory().numTensors;
    await expect(
      trainModel({
        ...task,
        params,
        seed: 1,
        onEpoch: async () => {
          throw new Error("cancelled");
        },
      }),
    ).rejects.toThrow("cancelled");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("aborts mid-epoch when the signal fires, without leaking tensors", async () => {
    const controller = new AbortController();
    controller.abort(new Error("job cancelled"));
    const before = tf.memory().numTensors;
    await expect(trainModel({ ...task, params, seed: 1, signal: controller.signal })).rejects.toThrow("job cancelled");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops early on patience and restores the best epoch", async () => {
    const r = await trainModel({ ...task, params: { maxEpochs: 40, patience: 1, learningRate: 0.02 }, seed: 2 });
    expect(r.stopReason).toBe("patience");
    const best = Math.max(...r.history.map((h) => h.valPrAuc));
    expect(r.history[r.bestEpoch - 1].valPrAuc).toBe(best);
  });

  it("stops at the training budget after the epoch that crosses it, keeping the best weights so far", async () => {
    const r = await trainModel({ ...task, params: { maxEpochs: 40, patience: 40, budgetSeconds: 0.001 }, seed: 2 });
    expect(r.stopReason).toBe("budget");
    expect(r.history).toHaveLength(1);
    expect(r.bestEpoch).toBe(1);
    const unbounded = await trainModel({ ...task, params: { maxEpochs: 3, patience: 40 }, seed: 2 });
    expect(unbounded.stopReason).toBe("max-epochs");
    expect(unbounded.history).toHaveLength(3);
  });

  it("scales the default L2 penalty with the training rows and keeps an explicit one", async () => {
    expect(TrainParams.parse({}).l2).toBe("auto");
    expect(resolveL2("auto", 10_000)).toBeCloseTo(3e-3, 12);
    expect(resolveL2("auto", 1_000_000)).toBeCloseTo(3e-5, 12);
    expect(resolveL2("auto", 100)).toBe(0.01);
    expect(resolveL2(0, 100)).toBe(0);
    const auto = await trainModel({ ...task, params: { ...params, maxEpochs: 1 }, seed: 1 });
    expect(auto.l2).toBeCloseTo(30 / task.y.length, 12);
    const fixed = await trainModel({ ...task, params: { ...params, maxEpochs: 1, l2: 1e-4 }, seed: 1 });
    expect(fixed.l2).toBe(1e-4);
    expect(fixed.network.kernels[0]).not.toEqual(auto.network.kernels[0]);
  });

  it("accepts sample weights and trains logistic regression with zero layers", async () => {
    const weights = Float32Array.from(task.y, (_, i) => 0.5 + (i % 3));
    const r = await trainModel({ ...task, weights, params: { layers: 0, maxEpochs: 10, learningRate: 0.05, batchSize: 256 }, seed: 1 });
    expect(r.network.spec.hidden).toEqual([]);
    expect(r.network.kernels).toHaveLength(1);
    expect(r.history[r.bestEpoch - 1].valAucRoc).toBeGreaterThan(0.7);
  });

  it("refuses data without both outcomes or with wrong sizes", async () => {
    await expect(trainModel({ ...task, y: new Uint8Array(task.y.length), seed: 1 })).rejects.toBeInstanceOf(TrainingDataError);
    await expect(trainModel({ ...task, nCols: task.nCols + 1, seed: 1 })).rejects.toBeInstanceOf(TrainingDataError);
  });
});
