import { describe, expect, it } from "vitest";
import { demoPopulation } from "../../../data/demo/generate.js";
import { demoSchema } from "../../../data/demo/schema.js";
import { chooseSplit } from "../../../services/worker/tasks/train-data.js";
import { codeVersion, dataDigest, trainingColumns, type TrainingRow } from "../../../services/worker/training-input.js";

const schema = demoSchema();
const rows: TrainingRow[] = [...demoPopulation({ files: 400, seed: 3 })].map((r, i) => ({
  fileId: r.file.id,
  controlledAt: `202${1 + (i % 5)}-03-0${1 + (i % 7)}`,
  outcome: i % 6 === 0 ? 1 : 0,
  selectedBy: i % 10 === 0 ? "exploration" : "model",
  selectionProbability: i % 3 === 0 ? 0.2 : null,
  attributes: r.file.attributes,
}));

describe("dataDigest", () => {
  it("does not depend on row order, and changes with any label, date or feature value", () => {
    const digest = dataDigest(schema, rows);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(dataDigest(schema, rows.slice().reverse())).toBe(digest);
    const flipped = rows.map((r, i) => (i === 7 ? { ...r, outcome: 1 - r.outcome } : r));
    expect(dataDigest(schema, flipped)).not.toBe(digest);
    const moved = rows.map((r, i) => (i === 7 ? { ...r, controlledAt: "2020-01-01" } : r));
    expect(dataDigest(schema, moved)).not.toBe(digest);
    const changed = rows.map((r, i) => (i === 7 ? { ...r, attributes: { ...r.attributes, turnover: 1 } } : r));
    expect(dataDigest(schema, changed)).not.toBe(digest);
  });

  it("ignores attributes that are not features (segments, ignored columns)", () => {
    const relabelled = rows.map((r) => ({ ...r, attributes: { ...r.attributes, contact_language: "xx", region: "elsewhere" } }));
    expect(dataDigest(schema, relabelled)).toBe(dataDigest(schema, rows));
  });
});

describe("trainingColumns", () => {
  it("keeps feature attributes only, numeric ones as Float64Array with NaN for missing", () => {
    const data = trainingColumns(schema, rows);
    expect(Object.keys(data.columns)).not.toContain("region");
    expect(data.columns.turnover).toBeInstanceOf(Float64Array);
    expect(Array.from(data.exploration).filter(Boolean)).toHaveLength(40);
    expect(Number.isNaN(data.selectionProbability[1])).toBe(true);
    expect(data.controlledAt[0]).toBe(Date.parse("2021-03-01T00:00:00Z"));
  });

  it("carries the segment attributes apart, as text with null for missing (fairness only)", () => {
    const withMissing = rows.map((r, i) => (i === 2 ? { ...r, attributes: { ...r.attributes, owner_age_band: null } } : r));
    const data = trainingColumns(schema, withMissing);
    expect(Object.keys(data.segments)).toEqual(["region", "owner_age_band"]);
    expect(data.segments.region[0]).toBe(rows[0].attributes.region);
    expect(data.segments.owner_age_band[2]).toBeNull();
    expect(data.segments.region).toHaveLength(rows.length);
  });
});

describe("chooseSplit", () => {
  it("auto splits by time: validation holds the latest controls", () => {
    const data = trainingColumns(schema, rows);
    const { split, report } = chooseSplit(data, { kind: "auto", validationFraction: 0.2 }, 1);
    expect(report.kind).toBe("temporal");
    const from = Date.parse(`${report.validationFrom}T00:00:00Z`);
    expect(Array.from(split.validation).every((i) => data.controlledAt[i] >= from)).toBe(true);
    expect(Array.from(split.train).every((i) => data.controlledAt[i] < from)).toBe(true);
  });

  it("auto falls back to a seeded stratified split when every control has the same date", () => {
    const data = trainingColumns(schema, rows.map((r) => ({ ...r, controlledAt: "2024-05-06" })));
    const a = chooseSplit(data, { kind: "auto", validationFraction: 0.25 }, 5);
    expect(a.report.kind).toBe("random");
    expect(a.report.note).toMatch(/unusable/);
    expect(chooseSplit(data, { kind: "auto", validationFraction: 0.25 }, 5).split).toEqual(a.split);
    expect(() => chooseSplit(data, { kind: "temporal", validationFraction: 0.25 }, 5)).toThrow(/temporal split/);
  });
});

describe("codeVersion", () => {
  it("is the package version plus BUILD_ID, or plus a hash of models/", () => {
    expect(codeVersion("build-42")).toBe("0.1.0+build-42");
    expect(codeVersion()).toMatch(/^0\.1\.0\+[0-9a-f]{12}$/);
  });
});
