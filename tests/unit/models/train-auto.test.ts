import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../../models/backend.js";
import { mergeNetworks } from "../../../models/ensemble.js";
import { aucRoc } from "../../../models/metrics.js";
import { disposeNetwork, initNetwork, type MlpSpec, toTensors } from "../../../models/network.js";
import { predictLogits } from "../../../models/predict.js";
import { mulberry32 } from "../../../models/prng.js";
import { trainAuto } from "../../../models/train-auto.js";
import { sizeParams, TrainParams } from "../../../models/train-params.js";
import { syntheticTask } from "./fixtures/synthetic.js";

const logitsOf = (weights: Parameters<typeof toTensors>[0], X: Float32Array, n: number): Float32Array => {
  const net = toTensors(weights);
  try {
    return predictLogits(net, X, n);
  } finally {
    disposeNetwork(net);
  }
};

describe("mergeNetworks", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("gives exactly the weighted sum of its members' logits across depths 0, 1 and 2", () => {
    const inputDim = 7;
    const spec = (hidden: number[]): MlpSpec => ({ inputDim, hidden, activation: "relu" });
    const members = [
      { network: initNetwork(spec([16, 8]), 1), weight: 0.25 },
      { network: initNetwork(spec([12]), 2), weight: 0.25 },
      { network: initNetwork(spec([]), 3), weight: 0.5 },
    ];
    // Non-zero biases, so that the identity blocks and the bias sum are exercised too.
    const rand = mulberry32(9);
    for (const m of members) for (const b of m.network.biases) for (let i = 0; i < b.length; i++) b[i] = rand() - 0.5;
    const n = 50;
    const X = Float32Array.from({ length: n * inputDim }, () => rand() * 4 - 2);
    const merged = mergeNetworks(members);
    expect(merged.spec.hidden).toEqual([16 + 12 + 2, 8 + 12 + 2]);
    const expected = new Float32Array(n);
    for (const m of members) logitsOf(m.network, X, n).forEach((z, i) => (expected[i] += m.weight * z));
    const got = logitsOf(merged, X, n);
    for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(expected[i], 4);
  });

  it("refuses members that do not share the input columns", () => {
    const a = initNetwork({ inputDim: 3, hidden: [4], activation: "relu" }, 1);
    const b = initNetwork({ inputDim: 4, hidden: [4], activation: "relu" }, 1);
    expect(() => mergeNetworks([{ network: a, weight: 1 }, { network: b, weight: 1 }])).toThrow(/input columns/);
  });
});

describe("sizeParams", () => {
  it("gives a few hundred rows small batches and many epochs, and keeps what the caller set", () => {
    expect(sizeParams({}, 250)).toMatchObject({ batchSize: 32, maxEpochs: 250, patience: 19 });
    expect(sizeParams({}, 10_169)).toMatchObject({ batchSize: 512, maxEpochs: 100, patience: 8 });
    expect(sizeParams({}, 1_000_000)).toMatchObject({ batchSize: 512, maxEpochs: 30, patience: 4 });
    expect(sizeParams({ batchSize: 64, maxEpochs: 5, patience: 2 }, 250)).toMatchObject({ batchSize: 64, maxEpochs: 5, patience: 2 });
  });
});

describe("trainAuto", () => {
  const task = syntheticTask({ rows: 1500, valRows: 600, seed: 5 });
  const quick = { maxEpochs: 6, patience: 3, hiddenUnits: 16 };

  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("trains the planned members, blends them into one network and is reproducible", async () => {
    const epochs: number[] = [];
    const members: string[] = [];
    const input = { ...task, seed: 3, params: { ...quick, ensembleSeeds: 2 } };
    const a = await trainAuto({ ...input, onEpoch: (p) => void epochs.push(p.epoch), onMember: (m) => void members.push(m.group) });
    expect(members).toEqual(["given", "given", "narrow", "narrow", "logistic"]);
    // onEpoch reports the first member only, whose history is the stored one.
    expect(epochs).toEqual(a.history.map((h) => h.epoch));
    expect(a.ensemble.members).toHaveLength(5);
    expect(a.ensemble.skipped).toBe(0);
    expect(Object.values(a.ensemble.blend).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
    expect(a.ensemble.candidates[0].blend).toEqual(a.ensemble.blend);
    expect(a.network.spec.inputDim).toBe(task.nCols);
    // The merged network scores validation exactly as the chosen blend did, the lowest log loss tried.
    expect(aucRoc(task.valY, a.valScores)).toBeCloseTo(a.ensemble.candidates[0].valAucRoc, 5);
    for (const c of a.ensemble.candidates) expect(c.valLogLoss).toBeGreaterThanOrEqual(a.ensemble.candidates[0].valLogLoss);
    expect(aucRoc(task.valY, a.valScores)).toBeGreaterThan(0.65);
    const b = await trainAuto(input);
    expect(b.network.kernels).toEqual(a.network.kernels);
    expect(b.ensemble.blend).toEqual(a.ensemble.blend);
  });

  it("trains only the given architecture without search, and its seeds", async () => {
    const r = await trainAuto({ ...task, seed: 1, params: { ...quick, search: false, ensembleSeeds: 2 } });
    expect(r.ensemble.members.map((m) => m.group)).toEqual(["given", "given"]);
    expect(r.network.spec.hidden).toEqual([16 * 2, 8 * 2]);
    // 1,500 rows: sized to batches of 128; the stored params are the given ones, sized.
    expect(r.params).toEqual(TrainParams.parse({ ...quick, search: false, ensembleSeeds: 2, batchSize: 128 }));
  });

  it("keeps within the budget: the first member stops at it and the rest are skipped", async () => {
    const r = await trainAuto({ ...task, seed: 1, params: { maxEpochs: 500, patience: 500, budgetSeconds: 0.05 } });
    expect(r.stopReason).toBe("budget");
    expect(r.ensemble.members).toHaveLength(1);
    expect(r.ensemble.skipped).toBe(6);
    expect(r.ensemble.blend).toEqual({ given: 1 });
  });
});
