import { describe, expect, it } from "vitest";
import { type LoggedControl, OffPolicyEstimateSchema, offPolicyEstimate } from "../../../models/off-policy.js";
import { simulateHistory, trueYield } from "./fixtures/off-policy-sim.js";

describe("offPolicyEstimate by hand", () => {
  // Population scores: top 2 of 4 (capacity 0.5) → threshold 0.6.
  const population = [0.9, 0.6, 0.3, 0.1];
  const controls: LoggedControl[] = [
    { score: 0.9, propensity: 1, outcome: 1, amount: 100 },
    { score: 0.7, propensity: 0.5, outcome: 0, amount: null },
    { score: 0.6, propensity: 0.25, outcome: 1, amount: 300 },
    { score: 0.2, propensity: 0.5, outcome: 1, amount: 200 },
  ];
  const e = offPolicyEstimate(controls, population, 0.5, { resamples: 50 });

  it("computes IPS, SNIPS, DR and naive as written", () => {
    // N̂ = 1 + 2 + 4 + 2 = 9; in the list: the first three (w 1, 2, 4), hits w·y = 1 + 4 = 5.
    expect(e.threshold).toBe(0.6);
    expect(e.hitRate.ips.value).toBeCloseTo(5 / (0.5 * 9), 12);
    expect(e.hitRate.snips.value).toBeCloseTo(5 / 7, 12);
    // DR: mean m over the list (0.9 + 0.6) / 2 = 0.75, residuals 1·0.1 + 2·(−0.7) + 4·0.4 = 0.3.
    expect(e.hitRate.dr.value).toBeCloseTo(0.75 + 0.3 / 4.5, 12);
    expect(e.hitRate.naive.value).toBeCloseTo(2 / 3, 12);
    // Amounts: Σ_S w·y·a = 100 + 4·300 = 1300; ā = (100 + 1200 + 400) / (1 + 4 + 2) = 1700 / 7.
    expect(e.amountPerControl.ips.value).toBeCloseTo(1300 / 4.5, 9);
    expect(e.amountPerControl.snips.value).toBeCloseTo(1300 / 7, 9);
    const aBar = 1700 / 7;
    const residual = 1300 - aBar * (1 * 0.9 + 2 * 0.7 + 4 * 0.6);
    expect(e.amountPerControl.dr.value).toBeCloseTo(0.75 * aBar + residual / 4.5, 9);
    expect(e.amountPerControl.naive.value).toBeCloseTo(400 / 3, 9);
    expect(e.pastHitRate).toBe(0.75);
  });

  it("reports its support and warns when it is thin", () => {
    expect(e.support).toMatchObject({ controls: 3, positives: 2, thin: true });
    // Kish: (1 + 2 + 4)² / (1 + 4 + 16) = 49 / 21.
    expect(e.support.effectiveSize).toBeCloseTo(49 / 21, 12);
    expect(e.warnings[0]).toMatch(/^thin support: 3 past controls/);
    expect(OffPolicyEstimateSchema.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  it("is deterministic for a seed, and refuses a propensity outside (0, 1]", () => {
    expect(offPolicyEstimate(controls, population, 0.5, { resamples: 50 })).toEqual(e);
    expect(() => offPolicyEstimate([{ ...controls[0], propensity: 0 }], population, 0.5)).toThrow(RangeError);
  });
});

describe("on a synthetic history where the truth is known", () => {
  const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
  const runs = seeds.map((seed) => {
    const { controls, population } = simulateHistory({ seed, rounds: 4, filesPerRound: 5000 });
    const e = offPolicyEstimate(controls, population, 0.1, { resamples: 200, seed });
    return { e, truth: trueYield(e.threshold!) };
  });
  const covers = (i: { low: number | null; high: number | null }, x: number) => i.low! <= x && x <= i.high!;

  it("IPS, SNIPS and DR intervals cover the true hit rate in most seeds; the naive estimate is biased", () => {
    const coverage = (pick: (e: (typeof runs)[0]["e"]) => { low: number | null; high: number | null }) =>
      runs.filter((r) => covers(pick(r.e), r.truth.hitRate)).length;
    expect(coverage((e) => e.hitRate.ips)).toBeGreaterThanOrEqual(16);
    expect(coverage((e) => e.hitRate.snips)).toBeGreaterThanOrEqual(16);
    expect(coverage((e) => e.hitRate.dr)).toBeGreaterThanOrEqual(16);
    expect(coverage((e) => e.hitRate.naive)).toBeLessThanOrEqual(6);
    const bias = runs.reduce((s, r) => s + (r.e.hitRate.naive.value! - r.truth.hitRate), 0) / runs.length;
    expect(Math.abs(bias)).toBeGreaterThan(0.05);
    expect(runs.every((r) => !r.e.support.thin)).toBe(true);
  });

  it("covers the amount found per control in most seeds too", () => {
    expect(runs.filter((r) => covers(r.e.amountPerControl.snips, r.truth.amountPerControl)).length).toBeGreaterThanOrEqual(15);
    expect(runs.filter((r) => covers(r.e.amountPerControl.dr, r.truth.amountPerControl)).length).toBeGreaterThanOrEqual(15);
  });
});

describe("offPolicyEstimate with ties at the cut", () => {
  it("counts files tied at the threshold pro rata, so the list holds k files (a rule's few distinct scores)", () => {
    // Four files all scored 0.5, capacity 0.5: k = 2 of 4 tied, each in the list by 1/2.
    // Two controls (probability 1), one positive: IPS = (1 × ½ × 1) / (0.5 × 2) = 0.5, SNIPS = ½ / 1 = 0.5.
    // Counting every tied control in whole gave IPS = 1 / (0.5 × 2) = 1.
    const e = offPolicyEstimate(
      [
        { score: 0.5, propensity: 1, outcome: 1, amount: null },
        { score: 0.5, propensity: 1, outcome: 0, amount: null },
      ],
      [0.5, 0.5, 0.5, 0.5],
      0.5,
      { resamples: 20 },
    );
    expect(e.k).toBe(2);
    expect(e.hitRate.ips.value).toBeCloseTo(0.5, 12);
    expect(e.hitRate.snips.value).toBeCloseTo(0.5, 12);
    expect(e.hitRate.naive.value).toBeCloseTo(0.5, 12);
    // DR: mean m over the list (0.5) + Σ w·s·(y − m) / (c·N̂) = 0.5 + (½·0.5 − ½·0.5) / 1 = 0.5.
    expect(e.hitRate.dr.value).toBeCloseTo(0.5, 12);
  });
});
