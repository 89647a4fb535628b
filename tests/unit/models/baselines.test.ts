import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../../models/backend.js";
import {
  fitSingleFeatureBaseline,
  randomBaselineScores,
  singleFeatureScores,
  trainLogisticBaseline,
} from "../../../models/baselines.js";
import { aucRoc } from "../../../models/metrics.js";
import { syntheticTask } from "./fixtures/synthetic.js";

describe("randomBaselineScores", () => {
  it("is a seeded tie-free order near AUC 0.5", () => {
    const a = randomBaselineScores(10_000, 5);
    expect(randomBaselineScores(10_000, 5)).toEqual(a);
    expect(randomBaselineScores(10_000, 6)).not.toEqual(a);
    expect(new Set(a).size).toBe(10_000);
    const y = Uint8Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    expect(Math.abs(aucRoc(y, a) - 0.5)).toBeLessThan(0.05);
  });
});

describe("fitSingleFeatureBaseline", () => {
  it("finds the informative column in either direction", () => {
    const n = 200;
    const nCols = 3;
    const X = new Float32Array(n * nCols);
    const y = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      y[r] = r % 4 === 0 ? 1 : 0;
      X[r * nCols] = (r * 37) % 11;
      X[r * nCols + 1] = (r * 13) % 7;
      X[r * nCols + 2] = y[r] ? -1 - (r % 3) : r % 5;
    }
    const b = fitSingleFeatureBaseline(X, y, nCols);
    expect(b).toMatchObject({ column: 2, sign: -1 });
    expect(b.valAucRoc).toBeGreaterThan(0.9);
    expect(aucRoc(y, singleFeatureScores(b, X, n, nCols))).toBeCloseTo(b.valAucRoc, 10);
  });
});

describe("trainLogisticBaseline", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
  });
  it("trains a deterministic calibrated linear model", async () => {
    const task = syntheticTask({ rows: 4000, valRows: 2000, seed: 9 });
    const a = await trainLogisticBaseline({ ...task, seed: 3, params: { maxEpochs: 8 } });
    const b = await trainLogisticBaseline({ ...task, seed: 3, params: { maxEpochs: 8 } });
    expect(a.network.spec.hidden).toEqual([]);
    expect(b.network.kernels).toEqual(a.network.kernels);
    expect(aucRoc(task.valY, a.valScores)).toBeGreaterThan(0.7);
  });
});
