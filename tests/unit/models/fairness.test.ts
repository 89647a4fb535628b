import { describe, expect, it } from "vitest";
import {
  fairnessReport,
  groupRates,
  judgeAttribute,
  outsideBand,
  selectionShares,
  wilsonRate,
  withReference,
} from "../../../models/fairness.js";
import { FairnessReportSchema } from "../../../models/fairness-schema.js";

/**
 * Hand-built population of 80 files, capacity 0.25 (k = 20), scores chosen so the selection is
 * exactly: region a 12 selected of 40 (6 hits, 10 positives), b 6 of 30 (3 hits, 6 positives),
 * c 2 of 10 (1 hit, 2 positives: too small to judge). Every expected figure below is worked out
 * by hand from these counts.
 */
const groups = [
  { value: "a", n: 40, positives: 10, selected: 12, hits: 6 },
  { value: "b", n: 30, positives: 6, selected: 6, hits: 3 },
  { value: "c", n: 10, positives: 2, selected: 2, hits: 1 },
];
const build = () => {
  const labels: number[] = [];
  const scores: number[] = [];
  const region: (string | null)[] = [];
  let hi = 0;
  let lo = 0;
  for (const g of groups) {
    const row = (label: number, selected: boolean) => {
      labels.push(label);
      scores.push(selected ? 0.99 - 0.001 * hi++ : 0.5 - 0.001 * lo++);
      region.push(g.value);
    };
    for (let i = 0; i < g.hits; i++) row(1, true);
    for (let i = 0; i < g.selected - g.hits; i++) row(0, true);
    for (let i = 0; i < g.positives - g.hits; i++) row(1, false);
    for (let i = 0; i < g.n - g.positives - (g.selected - g.hits); i++) row(0, false);
  }
  return { labels: Uint8Array.from(labels), scores: Float32Array.from(scores), region };
};

describe("wilsonRate", () => {
  it("gives the Wilson score interval (checked against an independent computation)", () => {
    const r = wilsonRate(10, 40);
    expect(r.value).toBe(0.25);
    expect(r.low).toBeCloseTo(0.14187118639096302, 12);
    expect(r.high).toBeCloseTo(0.40193961420768026, 12);
    const zero = wilsonRate(0, 10);
    expect(zero.low).toBe(0);
    expect(zero.high).toBeCloseTo(0.2775327998628892, 12);
  });

  it("is undefined (nulls) on an empty denominator, keeping the counts", () => {
    expect(wilsonRate(0, 0)).toEqual({ value: null, low: null, high: null, numerator: 0, denominator: 0 });
  });
});

describe("fairnessReport on a hand-built population", () => {
  const { labels, scores, region } = build();
  const report = fairnessReport({ labels, scores, segments: { region }, capacity: 0.25 });
  const regionReport = report.attributes.find((a) => a.attribute === "region")!;
  const g = (v: string) => regionReport.groups.find((x) => x.value === v)!;

  it("is a valid stored report selecting the top 20 of 80", () => {
    expect(FairnessReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report).toMatchObject({ capacity: 0.25, k: 20, n: 80, positives: 18, band: { low: 0.8, high: 1.25 } });
  });

  it("counts and rates every group as worked out by hand", () => {
    const a = g("a");
    expect(a).toMatchObject({ n: 40, positives: 10, selected: 12, judgeable: true });
    expect(a.baseRate.value).toBe(0.25);
    expect(a.rates.selectionRate.value).toBeCloseTo(0.3, 12);
    expect(a.rates.precision.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fdr.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fpr.value).toBeCloseTo(6 / 30, 12);
    expect(a.rates.fnr.value).toBeCloseTo(0.4, 12);
    expect(a.rates.recall.value).toBeCloseTo(0.6, 12);
    expect(a.rates.precision.low).toBeCloseTo(0.2537815976337061, 12);
    expect(a.rates.precision.high).toBeCloseTo(0.7462184023662939, 12);
    expect(a.rates.selectionRate.low).toBeGreaterThan(0);
    const b = g("b");
    expect(b).toMatchObject({ n: 30, positives: 6, selected: 6, judgeable: true });
    expect(b.rates.selectionRate.value).toBeCloseTo(0.2, 12);
    expect(b.rates.fpr.value).toBeCloseTo(3 / 24, 12);
    expect(b.rates.fpr.low).toBeCloseTo(0.04344334080123444, 12);
    expect(b.rates.fpr.high).toBeCloseTo(0.31003881270500067, 12);
    expect(b.rates.fnr.value).toBeCloseTo(0.5, 12);
    expect(b.rates.recall.value).toBeCloseTo(0.5, 12);
  });

  it("takes the largest group as reference and flags ratios outside 0.8-1.25, the edge itself inside", () => {
    expect(regionReport).toMatchObject({ reference: "a", referenceChosen: false });
    const b = g("b");
    expect(b.disparity.selectionRate.ratio).toBeCloseTo(0.2 / 0.3, 12);
    expect(b.disparity.fpr.ratio).toBeCloseTo(0.625, 12);
    // FNR 0.5 against 0.4: exactly 1.25, the band's upper edge, not flagged.
    expect(b.disparity.fnr.ratio).toBeCloseTo(1.25, 12);
    expect(b.disparity.recall.ratio).toBeCloseTo(0.5 / 0.6, 12);
    expect(b.disparity.precision.ratio).toBeCloseTo(1, 12);
    expect(b.flags).toEqual(["selectionRate", "fpr"]);
    expect(g("a").flags).toEqual([]);
    expect(regionReport).toMatchObject({ flaggedGroups: 1, headlineFlags: 1, tooSmallGroups: 1 });
  });

  it("reports a group under 30 files as too small to judge: kept, with figures, never flagged", () => {
    const c = g("c");
    expect(c.judgeable).toBe(false);
    expect(c.note).toMatch(/too small to judge: 10 files, 2 positives/);
    expect(c.rates.selectionRate.value).toBeCloseTo(0.2, 12);
    expect(c.disparity.selectionRate.ratio).toBeCloseTo(0.2 / 0.3, 12);
    expect(c.disparity.selectionRate.flagged).toBe(false);
    expect(c.flags).toEqual([]);
  });

  it("re-judges against a chosen reference: the lower edge 0.8 exactly is inside", () => {
    const rejudged = withReference(report, { region: "b" }).attributes.find((a) => a.attribute === "region")!;
    expect(rejudged).toMatchObject({ reference: "b", referenceChosen: true });
    const a = rejudged.groups.find((x) => x.value === "a")!;
    // FNR 0.4 against 0.5 = 0.8; selection 0.3 / 0.2 = 1.5; FPR 0.2 / 0.125 = 1.6.
    expect(a.disparity.fnr.ratio).toBeCloseTo(0.8, 12);
    expect(a.disparity.fnr.flagged).toBe(false);
    expect(a.flags).toEqual(["selectionRate", "fpr"]);
    expect(() => withReference(report, { region: "z" })).toThrow(RangeError);
  });

  it("adds score deciles as a sanity view, each of 8 files (too small here)", () => {
    const deciles = report.attributes.find((a) => a.kind === "score-decile")!;
    expect(deciles.groups.map((x) => x.value)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    expect(deciles.groups.every((x) => x.n === 8 && !x.judgeable)).toBe(true);
    // The top two deciles are the first 16 of the 20 selected files.
    expect(deciles.groups[0].rates.selectionRate.value).toBe(1);
    expect(deciles.groups[2].rates.selectionRate.value).toBe(0.5);
  });

  it("keeps missing values as their own group", () => {
    const withMissing = region.map((r, i) => (i === 0 ? null : r));
    const r = fairnessReport({ labels, scores, segments: { region: withMissing }, capacity: 0.25 });
    expect(r.attributes[0].groups.map((x) => [x.value, x.n])).toEqual([["(missing)", 1], ["a", 39], ["b", 30], ["c", 10]]);
  });
});

describe("band edges", () => {
  it("flags just outside 0.8 and 1.25, not on them", () => {
    expect(outsideBand(0.8)).toBe(false);
    expect(outsideBand(1.25)).toBe(false);
    expect(outsideBand(4 / 10 / (5 / 10))).toBe(false);
    expect(outsideBand(0.799)).toBe(true);
    expect(outsideBand(1.251)).toBe(true);
    expect(outsideBand(1)).toBe(false);
  });

  it("flags a judged group whose FPR ratio is just outside each edge", () => {
    // Reference: 40 files, 10 positives, 10 selected with 5 hits: FPR 5/30. Others shift FPR only.
    const shares = new Float64Array(120);
    const labels = new Uint8Array(120);
    const rows = (from: number, n: number, pos: number, sel: number, hits: number) => {
      for (let i = 0; i < n; i++) {
        labels[from + i] = i < pos ? 1 : 0;
        shares[from + i] = i < hits || (i >= pos && i < pos + sel - hits) ? 1 : 0;
      }
      return Array.from({ length: n }, (_, i) => from + i);
    };
    const ref = groupRates("ref", rows(0, 40, 10, 10, 5), labels, shares);
    // 9 selected with 5 hits: FPR 4/30 against 5/30, a ratio of exactly 0.8 (inside).
    const edgeLow = groupRates("low", rows(40, 40, 10, 9, 5), labels, shares);
    const high = groupRates("high", rows(80, 40, 10, 12, 5), labels, shares);
    const attr = judgeAttribute("x", "segment", [ref, edgeLow, high], "ref");
    const low = attr.groups.find((x) => x.value === "low")!;
    const hi = attr.groups.find((x) => x.value === "high")!;
    expect(low.disparity.fpr.ratio).toBeCloseTo(0.8, 12);
    expect(low.disparity.fpr.flagged).toBe(false);
    // 7/30 against 5/30 = 1.4: outside.
    expect(hi.disparity.fpr.ratio).toBeCloseTo(1.4, 12);
    expect(hi.disparity.fpr.flagged).toBe(true);
    // Just outside: a reference FPR a hair above makes 0.8 become 0.7999…
    const nudged = { ...ref, rates: { ...ref.rates, fpr: { ...ref.rates.fpr, value: (5 / 30) * 1.0001 } } };
    const judged = judgeAttribute("x", "segment", [nudged, edgeLow], "ref");
    expect(judged.groups[1].disparity.fpr.flagged).toBe(true);
    const nudgedHigh = { ...ref, rates: { ...ref.rates, fpr: { ...ref.rates.fpr, value: (4 / 30 / 1.25) * 0.9999 } } };
    expect(judgeAttribute("x", "segment", [nudgedHigh, edgeLow], "ref").groups[1].disparity.fpr.flagged).toBe(true);
    const exactHigh = { ...ref, rates: { ...ref.rates, fpr: { ...ref.rates.fpr, value: 4 / 30 / 1.25 } } };
    expect(judgeAttribute("x", "segment", [exactHigh, edgeLow], "ref").groups[1].disparity.fpr.flagged).toBe(false);
  });
});

describe("selectionShares", () => {
  it("splits the tie at the cut pro rata", () => {
    const { share, k } = selectionShares([0.9, 0.5, 0.5, 0.5, 0.1], 0.4);
    expect(k).toBe(2);
    expect(Array.from(share)).toEqual([1, 1 / 3, 1 / 3, 1 / 3, 0]);
  });
});
