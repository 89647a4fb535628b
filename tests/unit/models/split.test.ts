import { describe, expect, it } from "vitest";
import { segmentReport } from "../../../models/fairness.js";
import { stratifiedSplit, takeRows, takeValues, temporalSplit } from "../../../models/split.js";

describe("stratifiedSplit", () => {
  it("keeps the positive share in both parts and is seeded", () => {
    const y = Uint8Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 1 : 0));
    const s = stratifiedSplit(y, 0.2, 3);
    expect(s.validation).toHaveLength(200);
    expect(s.train).toHaveLength(800);
    expect(takeValues(y, s.validation).reduce((a, b) => a + b, 0)).toBe(10);
    expect(stratifiedSplit(y, 0.2, 3)).toEqual(s);
    expect(stratifiedSplit(y, 0.2, 4).validation).not.toEqual(s.validation);
    expect(new Set([...s.train, ...s.validation]).size).toBe(1000);
  });
  it("splits a million rows", () => {
    const y = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i % 50 === 0 ? 1 : 0));
    expect(stratifiedSplit(y, 0.2, 1).validation).toHaveLength(200_000);
  });
});

describe("temporalSplit and takeRows", () => {
  it("validates on rows at or after the cutoff and copies their rows", () => {
    const s = temporalSplit([1, 5, 3, 7], 5);
    expect(Array.from(s.validation)).toEqual([1, 3]);
    const X = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(takeRows(X, 2, s.validation))).toEqual([1, 1, 3, 3]);
  });
});

describe("segmentReport", () => {
  it("splits one global top-k selection by segment, ties pro rata", () => {
    const labels = Uint8Array.from([1, 0, 1, 0, 0, 1]);
    const scores = Float32Array.from([0.9, 0.8, 0.5, 0.5, 0.1, 0.2]);
    const segments = ["a", "a", "a", "b", "b", "b"];
    // k = 3: 0.9 and 0.8 (both a) plus half of each 0.5 row (one a, one b).
    const [a, b] = segmentReport(labels, scores, segments, 0.5);
    expect(a).toMatchObject({ segment: "a", n: 3, positives: 2, selected: 2.5 });
    expect(a.precision).toBeCloseTo(1.5 / 2.5, 12);
    expect(a.recall).toBeCloseTo(0.75, 12);
    expect(b).toMatchObject({ segment: "b", n: 3, positives: 1, selected: 0.5, precision: 0, recall: 0 });
  });
});
