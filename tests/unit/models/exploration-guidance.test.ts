import { describe, expect, it } from "vitest";
import { explorationGuidance } from "../../../models/exploration-guidance.js";
import { offPolicyEstimate } from "../../../models/off-policy.js";

describe("explorationGuidance", () => {
  const controls = Array.from({ length: 400 }, (_, i) => ({ score: (i % 100) / 100, propensity: i % 10 === 0 ? 0.5 : 1, outcome: i % 3 === 0 ? 1 : 0, amount: null }));
  const population = Array.from({ length: 1000 }, (_, i) => (i % 100) / 100);
  const e = offPolicyEstimate(controls, population, 0.2, { resamples: 50 });

  it("starts from an estimate with enough support", () => expect(e.support.thin).toBe(false));

  it("scales the current SNIPS width by √(current share / share) and the effective size by share / current share", () => {
    const g = explorationGuidance(e, { model: 360, exploration: 40 });
    const width = e.hitRate.snips.high! - e.hitRate.snips.low!;
    expect(g.currentShare).toBeCloseTo(0.1, 12);
    expect(g.currentWidth).toBeCloseTo(width, 12);
    expect(g.rows.map((r) => r.share)).toEqual([0.05, 0.1, 0.2, 0.5]);
    expect(g.rows[0].expectedWidth).toBeCloseTo(width * Math.SQRT2, 12);
    expect(g.rows[1].expectedWidth).toBeCloseTo(width, 12);
    expect(g.rows[2].expectedWidth).toBeCloseTo(width / Math.SQRT2, 12);
    expect(g.rows[3].expectedEffectiveSize).toBeCloseTo(e.support.effectiveSize * 5, 9);
  });

  it("says it cannot scale without exploration picks, with only exploration picks, or on thin support", () => {
    const none = explorationGuidance(e, { model: 400, exploration: 0 });
    expect(none.currentShare).toBeNull();
    expect(none.rows.every((r) => r.expectedWidth === null)).toBe(true);
    expect(none.note).toMatch(/No exploration picks/);
    expect(explorationGuidance(e, { model: 0, exploration: 400 }).note).toMatch(/Every past control used was an exploration pick/);
    const thin = { ...e, support: { ...e.support, thin: true } };
    const g = explorationGuidance(thin, { model: 360, exploration: 40 });
    expect(g.rows.every((r) => r.expectedWidth === null)).toBe(true);
    expect(g.note).toMatch(/thin/);
  });

  it("caps an expected width at 1 (a rate's interval)", () => {
    const wide = { ...e, hitRate: { ...e.hitRate, snips: { value: 0.5, low: 0, high: 0.9 } } };
    expect(explorationGuidance(wide, { model: 360, exploration: 40 }).rows[0].expectedWidth).toBe(1);
  });
});
