import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ageInDays, MISSING_RATES } from "../../../data/demo/attributes.js";
import { demoFileId, demoPopulation, demoRow, MAX_FILES, type DemoRow } from "../../../data/demo/generate.js";
import { CONTROL_YEARS } from "../../../data/demo/history.js";
import { demoSchema } from "../../../data/demo/schema.js";
import { summariseDemo } from "../../../data/demo/stats.js";
import { irregularityProbability } from "../../../data/demo/truth.js";
import { UNIT_SHARES, UNITS, inspectorsOf } from "../../../data/demo/units.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const schema = demoSchema();
const names = schema.attributes.map((a) => a.name);

/** Throws unless the row's attributes have the schema's names, order, types and missing policy. */
const checkRow = (row: DemoRow): void => {
  const { attributes } = row.file;
  expect(Object.keys(attributes)).toEqual(names);
  for (const spec of schema.attributes) {
    const v = attributes[spec.name];
    if (v === null) {
      expect(spec.missing, spec.name).toBe("allow");
      continue;
    }
    if (spec.type === "numeric") {
      expect(Number.isFinite(v), spec.name).toBe(true);
      // -0 would be written as "0" and read back as 0.
      expect(Object.is(v, -0), spec.name).toBe(false);
    }
    if (spec.type === "categorical") expect(typeof v, spec.name).toBe("string");
    if (spec.type === "boolean") expect(typeof v, spec.name).toBe("boolean");
    if (spec.type === "date") {
      expect(v).toMatch(ISO_DATE);
      expect(new Date(`${v as string}T00:00:00Z`).toISOString().slice(0, 10)).toBe(v);
    }
  }
  expect(row.truth).toBeGreaterThan(0);
  expect(row.truth).toBeLessThan(1);
};

describe("demoPopulation", () => {
  it("yields the same rows for the same seed and different rows for another seed", () => {
    const a = [...demoPopulation({ files: 2000, seed: 1 })];
    const b = [...demoPopulation({ files: 2000, seed: 1 })];
    const c = [...demoPopulation({ files: 2000, seed: 2 })];
    expect(b).toEqual(a);
    const same = a.filter((row, i) => JSON.stringify(row) === JSON.stringify(c[i])).length;
    expect(same).toBe(0);
  });

  it("gives a file the same values whatever the population size", () => {
    const small = [...demoPopulation({ files: 50, seed: 7 })];
    const large = [...demoPopulation({ files: 500, seed: 7 })].slice(0, 50);
    expect(large).toEqual(small);
    expect(demoRow(7, 321)).toEqual([...demoPopulation({ files: 322, seed: 7 })][321]);
  });

  it("numbers files F0000001... so that lexical order is index order", () => {
    const ids = [...demoPopulation({ files: 1200, seed: 1 })].map((r) => r.file.id);
    expect(ids[0]).toBe("F0000001");
    expect(ids[1199]).toBe("F0001200");
    expect([...ids].sort()).toEqual(ids);
    expect(demoFileId(MAX_FILES - 1)).toBe("F9999999");
  });

  it("refuses a negative, fractional or too large file count", () => {
    expect(() => demoPopulation({ files: -1, seed: 1 }).next()).toThrow(RangeError);
    expect(() => demoPopulation({ files: 1.5, seed: 1 }).next()).toThrow(RangeError);
    expect(() => demoPopulation({ files: MAX_FILES + 1, seed: 1 }).next()).toThrow(RangeError);
    expect([...demoPopulation({ files: 0, seed: 1 })]).toEqual([]);
  });

  it("emits attributes of the schema's names, order and types for any seed and index", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: MAX_FILES - 1 }), (seed, index) => {
        const row = demoRow(seed, index);
        checkRow(row);
        expect(row.file.id).toBe(demoFileId(index));
        expect(UNITS.map((u) => u.id)).toContain(row.file.unit);
      }),
      { numRuns: 300 },
    );
  });

  it("derives the truth from the current attributes", () => {
    for (const row of demoPopulation({ files: 300, seed: 3 })) {
      expect(row.truth).toBe(irregularityProbability(row.file.attributes));
    }
  });
});

describe("demo population figures (30,000 files, seed 1)", () => {
  const rows = [...demoPopulation({ files: 30_000, seed: 1 })];
  const summary = summariseDemo(rows);
  const n = summary.files;
  /** Four binomial standard deviations of a rate p over n draws. */
  const tol = (p: number, draws: number) => 4 * Math.sqrt((p * (1 - p)) / draws);

  it("sizes the 20 units like Zipf (weight 1/rank)", () => {
    expect(Object.keys(summary.filesPerUnit)).toHaveLength(20);
    UNITS.forEach((u, k) => {
      const share = (summary.filesPerUnit[u.id] ?? 0) / n;
      expect(Math.abs(share - UNIT_SHARES[k])).toBeLessThan(tol(UNIT_SHARES[k], n));
    });
    expect(UNIT_SHARES[0]).toBeCloseTo(0.278, 2);
  });

  it("has a mean true probability between 5% and 10%, with a long right tail", () => {
    expect(summary.meanTruth).toBeGreaterThan(0.05);
    expect(summary.meanTruth).toBeLessThan(0.1);
    const high = rows.filter((r) => r.truth > 0.3).length / n;
    expect(high).toBeGreaterThan(0.01);
    expect(high).toBeLessThan(0.1);
  });

  it("leaves values missing at the stated rates", () => {
    for (const [name, rate] of Object.entries(MISSING_RATES)) {
      if (name === "income_change") continue;
      expect(Math.abs(summary.missingRates[name] - rate), name).toBeLessThan(tol(rate, n));
    }
    expect(summary.missingRates.deduction_ratio).toBe(summary.missingRates.deductions);
    const established = rows.filter((r) => ageInDays(r.file.attributes.registration_date as string) >= 365);
    const young = rows.filter((r) => ageInDays(r.file.attributes.registration_date as string) < 365);
    expect(young.length / n).toBeGreaterThan(0.07);
    expect(young.length / n).toBeLessThan(0.14);
    expect(young.every((r) => r.file.attributes.income_change === null)).toBe(true);
    const missingEstablished = established.filter((r) => r.file.attributes.income_change === null).length;
    expect(Math.abs(missingEstablished / established.length - MISSING_RATES.income_change)).toBeLessThan(
      tol(MISSING_RATES.income_change, established.length),
    );
    for (const spec of schema.attributes.filter((a) => a.missing === "reject")) {
      expect(summary.missingRates[spec.name], spec.name).toBe(0);
    }
  });

  it("gives each unit its own inspectors", () => {
    const byUnit = new Map(UNITS.map((u, i) => [u.id, new Set(inspectorsOf(i))]));
    for (const row of rows) {
      for (const o of row.outcomes) expect(byUnit.get(row.file.unit)?.has(o.inspector)).toBe(true);
    }
    expect(inspectorsOf(0)).toHaveLength(11);
    expect(inspectorsOf(19)).toEqual(["capital-01", "capital-02"]);
  });

  it("controls files over 2021-2025, some of them several times", () => {
    expect(Object.keys(summary.outcomesByYear).sort()).toEqual(CONTROL_YEARS.map(String));
    expect(summary.controlledFiles).toBeLessThan(summary.outcomes.controls);
    expect(summary.outcomes.controls / n / CONTROL_YEARS.length).toBeGreaterThan(0.02);
    expect(summary.outcomes.controls / n / CONTROL_YEARS.length).toBeLessThan(0.04);
  });
});
