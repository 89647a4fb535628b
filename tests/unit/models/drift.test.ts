import { describe, expect, it } from "vitest";
import {
  accumulate,
  binOf,
  categoricalReference,
  driftBand,
  driftReference,
  driftReport,
  emptyAccumulator,
  featureDrift,
  mergeAccumulators,
  numericReference,
  psi,
} from "../../../models/drift.js";
import { DriftReferenceSchema, DriftReportSchema } from "../../../models/drift-schema.js";
import { mulberry32 } from "../../../models/prng.js";

describe("psi and bands", () => {
  it("computes PSI by hand: shares 0.5/0.5 against 0.8/0.2", () => {
    // (0.8-0.5)·ln(0.8/0.5) + (0.2-0.5)·ln(0.2/0.5) = 0.41588830833596724
    expect(psi([50, 50], [80, 20])).toBeCloseTo(0.41588830833596724, 12);
    expect(psi([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
  });

  it("floors an empty share at 1e-4 so a new category still weighs, finitely", () => {
    // expected 0 → 1e-4; actual 0.1: (0.1-1e-4)·ln(0.1/1e-4) + (0.9-1)·ln(0.9/1)
    const expected = (0.1 - 1e-4) * Math.log(0.1 / 1e-4) + (0.9 - 1) * Math.log(0.9);
    expect(psi([100, 0], [90, 10])).toBeCloseTo(expected, 12);
  });

  it("bands: under 0.1 stable, 0.1 to 0.25 watch (edges included), above alarm", () => {
    expect(driftBand(0.0999)).toBe("stable");
    expect(driftBand(0.1)).toBe("watch");
    expect(driftBand(0.25)).toBe("watch");
    expect(driftBand(0.2501)).toBe("alarm");
  });
});

describe("references", () => {
  it("cuts numeric bins at the training deciles, distinct, with a missing count", () => {
    const values = Float64Array.from([...Array.from({ length: 100 }, (_, i) => i + 1), Number.NaN, Number.NaN]);
    const ref = numericReference("x", values);
    // Deciles of 1..100 with interpolation: 10.9, 20.8, …, 90.1.
    expect(ref.edges).toHaveLength(9);
    expect(ref.edges[0]).toBeCloseTo(10.9, 9);
    expect(ref.edges[8]).toBeCloseTo(90.1, 9);
    expect(ref.counts).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(ref).toMatchObject({ missing: 2, n: 102 });
    expect(binOf(ref.edges, 10.9)).toBe(0);
    expect(binOf(ref.edges, 11)).toBe(1);
    expect(binOf(ref.edges, 1e9)).toBe(9);
  });

  it("merges repeated quantiles (a mostly-zero column has few bins)", () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i));
    const ref = numericReference("x", values);
    expect(ref.edges[0]).toBe(0);
    expect(ref.counts[0]).toBe(80);
    expect(ref.counts.reduce((s, c) => s + c, 0)).toBe(100);
  });

  it("counts categorical levels (booleans and numbers as text) and missing", () => {
    const ref = categoricalReference("c", ["a", "b", "a", null, "", true, 3]);
    expect(ref).toMatchObject({ levels: ["3", "a", "b", "true"], counts: [1, 2, 1, 1], missing: 2, n: 7 });
  });
});

describe("accumulate, merge and report", () => {
  const attributes = [
    { name: "amount", type: "numeric" as const },
    { name: "sector", type: "categorical" as const },
    { name: "since", type: "date" as const },
  ];
  const rand = mulberry32(3);
  const make = (n: number, shift: number, newSector: boolean) => {
    const amount = Float64Array.from({ length: n }, () => (rand() < 0.05 ? Number.NaN : rand() * 100 + shift));
    const sector = Array.from({ length: n }, () => (newSector && rand() < 0.3 ? "mining" : rand() < 0.5 ? "retail" : "farming"));
    const since = Array.from({ length: n }, () => `20${10 + Math.floor(rand() * 10)}-01-01`);
    const scores = Float64Array.from({ length: n }, () => rand() * (shift ? 0.5 : 1));
    return { columns: { amount, sector, since }, scores, n };
  };
  const train = make(4000, 0, false);
  const ref = driftReference(attributes, train.columns, train.n, train.scores);
  const types = Object.fromEntries(attributes.map((a) => [a.name, a.type]));

  it("is stable on a sample of the same population", () => {
    const same = make(4000, 0, false);
    const report = driftReport(ref, accumulate(ref, emptyAccumulator(ref), types, same.columns, same.scores));
    expect(DriftReportSchema.parse(report)).toEqual(report);
    expect(DriftReferenceSchema.parse(ref)).toEqual(ref);
    expect(report.band).toBe("stable");
    expect(report.alarm).toBe(false);
    expect(report.features.every((f) => f.psi < 0.1)).toBe(true);
    expect(report.rows).toBe(4000);
  });

  it("alarms on a shifted amount, an unseen sector and shifted scores, naming them", () => {
    const moved = make(3000, 60, true);
    const report = driftReport(ref, accumulate(ref, emptyAccumulator(ref), types, moved.columns, moved.scores));
    const f = (name: string) => report.features.find((x) => x.name === name)!;
    expect(f("amount").band).toBe("alarm");
    expect(f("sector").band).toBe("alarm");
    expect(f("sector").unseen).toBeGreaterThan(700);
    expect(f("sector").unseenLevels).toEqual(["mining"]);
    expect(f("sector").bins.at(-1)).toMatchObject({ bin: "(unseen)", expected: 0 });
    expect(f("since").band).toBe("stable");
    expect(report.prediction.band).toBe("alarm");
    expect(report.alarm).toBe(true);
    expect(report.alarms).toEqual(expect.arrayContaining([expect.stringMatching(/^amount: PSI \d+\.\d{3,5} > 0\.25$/), expect.stringMatching(/^prediction/)]));
  });

  it("reports the change in missing rate", () => {
    const chunk = make(1000, 0, false);
    const allMissing = { ...chunk.columns, amount: new Float64Array(1000).fill(Number.NaN) };
    const report = driftReport(ref, accumulate(ref, emptyAccumulator(ref), types, allMissing, chunk.scores));
    const amount = report.features.find((x) => x.name === "amount")!;
    expect(amount.missingRate.reference).toBeCloseTo(ref.features[0].missing / 4000, 12);
    expect(amount.missingRate.current).toBe(1);
    expect(amount.missingRate.change).toBeCloseTo(1 - ref.features[0].missing / 4000, 12);
    expect(amount.band).toBe("alarm");
  });

  it("gives the same counts chunk by chunk, merged in any order, as in one pass", () => {
    const pop = make(2500, 30, true);
    const whole = accumulate(ref, emptyAccumulator(ref), types, pop.columns, pop.scores);
    const part = (from: number, to: number) =>
      accumulate(
        ref,
        emptyAccumulator(ref),
        types,
        { amount: pop.columns.amount.slice(from, to), sector: pop.columns.sector.slice(from, to), since: pop.columns.since.slice(from, to) },
        pop.scores.slice(from, to),
      );
    const a = part(0, 700);
    const b = part(700, 1900);
    const c = part(1900, 2500);
    const merged = mergeAccumulators(mergeAccumulators(c, a), b);
    expect(merged.n).toBe(whole.n);
    expect(merged.features.map((f) => [f.counts, f.missing, f.unseen])).toEqual(whole.features.map((f) => [f.counts, f.missing, f.unseen]));
    expect(merged.score).toEqual(whole.score);
    expect(driftReport(ref, merged).features.map((f) => f.psi)).toEqual(driftReport(ref, whole).features.map((f) => f.psi));
  });

  it("counts a feature the chunk lacks as missing", () => {
    const d = featureDrift(ref.features[1], { counts: ref.features[1].counts.map(() => 0), missing: 10, unseen: 0, unseenLevels: [] });
    expect(d.missingRate.current).toBe(1);
  });
});
