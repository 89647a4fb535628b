import { describe, expect, it } from "vitest";
import { evaluateScores } from "../../../models/evaluation.js";
import { mulberry32 } from "../../../models/prng.js";
import { computeVerdict } from "../../../models/verdict.js";

const sample = (n: number, positives: number, seed: number) => {
  const rand = mulberry32(seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i < positives ? 1 : 0));
  return { labels, rand };
};

describe("computeVerdict", () => {
  it("point figures equal evaluateScores on the same rows, and positives are counted", () => {
    const { labels, rand } = sample(1000, 100, 1);
    const model = Float32Array.from(labels, (y) => y + rand());
    const logistic = Float32Array.from(labels, (y) => 0.5 * y + rand());
    const v = computeVerdict(labels, model, { logistic }, { resamples: 50 });
    const report = evaluateScores(labels, model);
    const base = evaluateScores(labels, logistic);
    const figure = (name: string, capacity: number | null) => v.comparisons[0].figures.find((f) => f.figure === name && f.capacity === capacity)!;
    expect(v.positives).toBe(100);
    expect(v.n).toBe(1000);
    expect(figure("aucRoc", null).model.value).toBeCloseTo(report.aucRoc, 12);
    expect(figure("prAuc", null).baseline.value).toBeCloseTo(base.prAuc, 12);
    const at10 = report.atCapacity.find((c) => c.capacity === 0.1)!;
    expect(figure("precision", 0.1).model.value).toBeCloseTo(at10.precision, 12);
    expect(figure("recall", 0.1).model.value).toBeCloseTo(at10.recall, 12);
    expect(figure("yield", 0.1).model.value).toBeCloseTo(at10.hits, 12);
  });

  it("a clearly better model beats the yardstick: the whole interval of the difference is above 0", () => {
    const { labels, rand } = sample(2000, 200, 2);
    const model = Float32Array.from(labels, (y) => y + rand());
    const random = Float32Array.from(labels, () => rand());
    const v = computeVerdict(labels, model, { random }, { resamples: 100 });
    const auc = v.comparisons[0].figures.find((f) => f.figure === "aucRoc")!;
    expect(auc.difference.low!).toBeGreaterThan(0);
    expect(auc.difference.low!).toBeLessThanOrEqual(auc.difference.value!);
    expect(auc.difference.high!).toBeGreaterThanOrEqual(auc.difference.value!);
    expect(auc.outcome).toBe("better");
    expect(v.comparisons[0].beats).toBe(true);
    expect(v.summary[0]).toMatch(/^beats a random order: ROC-AUC better by/);
  });

  it("the same scores tie (difference 0 and interval [0, 0]); a worse model is worse", () => {
    const { labels, rand } = sample(2000, 200, 3);
    const model = Float32Array.from(labels, (y) => 0.2 * y + rand());
    const strong = Float32Array.from(labels, (y) => y + rand());
    const v = computeVerdict(labels, model, { same: model.slice(), strong }, { resamples: 100 });
    const [same, stronger] = v.comparisons;
    expect(same.figures.every((f) => f.outcome === "tie")).toBe(true);
    expect(same.beats).toBe(false);
    expect(stronger.figures.find((f) => f.figure === "aucRoc")!.outcome).toBe("worse");
    expect(v.summary[1]).toMatch(/^does not clearly beat strong/);
  });

  it("is reproducible for a seed, and few positives give wide intervals", () => {
    const { labels, rand } = sample(1000, 8, 4);
    const model = Float32Array.from(labels, (y) => 0.5 * y + rand());
    const logistic = Float32Array.from(labels, () => rand());
    const a = computeVerdict(labels, model, { logistic }, { resamples: 60, seed: 5 });
    expect(computeVerdict(labels, model, { logistic }, { resamples: 60, seed: 5 })).toEqual(a);
    const auc = a.comparisons[0].figures[0].difference;
    expect(auc.high! - auc.low!).toBeGreaterThan(0.1);
  });
});
