import { beforeAll, describe, expect, it } from "vitest";
import { wrapModel } from "../../../models/artifact.js";
import { selectBackend, tf } from "../../../models/backend.js";
import { columnAttributeIndex, encodeBaseline } from "../../../models/encode.js";
import { explainRows, reasonsOf } from "../../../models/explain.js";
import { toTensors, disposeNetwork, type NetworkWeights } from "../../../models/network.js";
import { trainModel } from "../../../models/train.js";
import { syntheticTask } from "./fixtures/synthetic.js";

describe("explainRows", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });

  it("names the only informative attribute as the top reason for most rows", async () => {
    const task = syntheticTask({ rows: 6000, valRows: 2000, seed: 21, signal: "n0-only" });
    const r = await trainModel({ ...task, seed: 4, params: { maxEpochs: 8, batchSize: 256 } });
    const model = wrapModel({ network: r.network, encoder: task.encoder, calibration: r.calibration, meta: {} });
    const e = model.explain(task.valX, task.valY.length, { topK: 5 });
    const n0 = model.attributeNames.indexOf("n0");
    let top = 0;
    let counted = 0;
    for (let row = 0; row < e.nRows; row++) {
      // Rows whose n0 is near the median have little to explain; judge the others.
      const value = task.valRows[row].n0;
      if (typeof value !== "number" || Math.abs(value - 50) < 5) continue;
      counted++;
      if (e.attribute[row * e.topK] === n0) top++;
    }
    expect(top / counted).toBeGreaterThan(0.9);
    const reasons = reasonsOf(e, 0, model.attributeNames);
    expect(reasons).toHaveLength(5);
    expect(Math.abs(reasons[0].contribution)).toBeGreaterThanOrEqual(Math.abs(reasons[1].contribution));
    model.dispose();
  });

  it("is exact for a linear model: contributions are a·w·(x − baseline) summed per attribute", () => {
    const task = syntheticTask({ rows: 300, valRows: 10, seed: 5 });
    const nCols = task.nCols;
    const w = Float32Array.from({ length: nCols }, (_, i) => ((i % 7) - 3) / 10);
    const weights: NetworkWeights = {
      spec: { inputDim: nCols, hidden: [], activation: "relu" },
      kernels: [w],
      biases: [Float32Array.of(0.2)],
    };
    const net = toTensors(weights);
    const baseline = encodeBaseline(task.encoder);
    const columnAttribute = columnAttributeIndex(task.encoder);
    const nAttributes = task.encoder.attributes.length;
    const calibration = { method: "platt" as const, a: 1.5, b: -1, n: 0, positives: 0 };
    const before = tf.memory().numTensors;
    const e = explainRows({ network: net, calibration, baseline, columnAttribute, nAttributes }, task.valX, 10, {
      full: true,
      batchSize: 4,
    });
    expect(tf.memory().numTensors).toBe(before);
    for (let row = 0; row < 10; row++) {
      const expected = new Float64Array(nAttributes);
      for (let c = 0; c < nCols; c++) expected[columnAttribute[c]] += 1.5 * w[c] * (task.valX[row * nCols + c] - baseline[c]);
      for (let a = 0; a < nAttributes; a++) expect(e.grouped![row * nAttributes + a]).toBeCloseTo(expected[a], 4);
      const order = Array.from(expected.keys()).sort((x, y) => Math.abs(expected[y]) - Math.abs(expected[x]));
      expect(Math.abs(e.contribution[row * 5])).toBeCloseTo(Math.abs(expected[order[0]]), 4);
    }
    disposeNetwork(net);
  });

  it("gives zero contributions for the baseline row itself", () => {
    const task = syntheticTask({ rows: 300, valRows: 10, seed: 5 });
    const weights: NetworkWeights = {
      spec: { inputDim: task.nCols, hidden: [8], activation: "relu" },
      kernels: [new Float32Array(task.nCols * 8).fill(0.1), new Float32Array(8).fill(0.3)],
      biases: [new Float32Array(8), new Float32Array(1)],
    };
    const model = wrapModel({ network: weights, encoder: task.encoder, calibration: { method: "platt", a: 1, b: 0, n: 0, positives: 0 }, meta: {} });
    const e = model.explain(encodeBaseline(task.encoder), 1);
    expect(Array.from(e.contribution).every((v) => v === 0)).toBe(true);
    model.dispose();
  });
});
