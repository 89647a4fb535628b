import { describe, expect, it } from "vitest";
import { applyPlatt, fitPlatt, logit } from "../../../models/calibration.js";
import { mulberry32 } from "../../../models/prng.js";

/** Labels drawn from σ(2z − 1): Platt should recover a ≈ 2, b ≈ −1 from logits z. */
const synthetic = (n: number, seed: number) => {
  const rand = mulberry32(seed);
  const z = new Float32Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = rand() * 6 - 3;
    y[i] = rand() < 1 / (1 + Math.exp(-(2 * z[i] - 1))) ? 1 : 0;
  }
  return { z, y };
};

describe("fitPlatt", () => {
  it("recovers the slope and intercept of a logistic relation", () => {
    const { z, y } = synthetic(20_000, 7);
    const c = fitPlatt(z, y);
    expect(c.a).toBeGreaterThan(1.85);
    expect(c.a).toBeLessThan(2.15);
    expect(c.b).toBeGreaterThan(-1.15);
    expect(c.b).toBeLessThan(-0.85);
    expect(c).toMatchObject({ method: "platt", n: 20_000 });
  });

  it("stays finite on perfectly separated data", () => {
    const c = fitPlatt(Float32Array.from([-2, -1, 1, 2]), Uint8Array.from([0, 0, 1, 1]));
    expect(Number.isFinite(c.a) && Number.isFinite(c.b)).toBe(true);
    const p = applyPlatt(c, Float32Array.from([-2, 2]));
    expect(p[0]).toBeLessThan(0.5);
    expect(p[1]).toBeGreaterThan(0.5);
  });

  it("returns the identity when a class is absent", () => {
    expect(fitPlatt(Float32Array.from([1, 2]), Uint8Array.from([0, 0]))).toMatchObject({ a: 1, b: 0 });
  });

  it("makes predicted rates match observed rates", () => {
    const { z, y } = synthetic(20_000, 11);
    const p = applyPlatt(fitPlatt(z, y), z);
    let mean = 0;
    let rate = 0;
    for (let i = 0; i < p.length; i++) {
      mean += p[i];
      rate += y[i];
    }
    expect(Math.abs(mean - rate) / p.length).toBeLessThan(0.01);
  });

  it("clips logit at 0 and 1", () => {
    expect(Number.isFinite(logit(0)) && Number.isFinite(logit(1))).toBe(true);
  });
});
