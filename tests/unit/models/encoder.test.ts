import { describe, expect, it } from "vitest";
import { columnAttributeIndex, encodeBaseline, encodeColumns, encodeRows } from "../../../models/encode.js";
import { EncoderState, fitEncoder } from "../../../models/encoder.js";
import { FeatureSchemaDefinition, type Attributes } from "../../../models/feature-schema.js";

const schema = FeatureSchemaDefinition.parse({
  attributes: [
    { name: "income", type: "numeric" },
    { name: "region", type: "categorical" },
    { name: "self_employed", type: "boolean" },
    { name: "filed_on", type: "date" },
    { name: "note", type: "categorical", role: "ignore" },
  ],
});

const makeRow = (over: Partial<Attributes> = {}): Attributes => ({
  income: 100,
  region: "north",
  self_employed: false,
  filed_on: "2024-03-15",
  note: "x",
  ...over,
});

const training: Attributes[] = [
  ...Array.from({ length: 12 }, (_, i) => makeRow({ income: 100 + i * 10, region: "north" })),
  ...Array.from({ length: 10 }, (_, i) => makeRow({ income: 90 + i, region: "south", self_employed: true })),
  makeRow({ region: "east", income: null, filed_on: null, self_employed: null }),
];

describe("fitEncoder", () => {
  const state = fitEncoder(schema, training, { minLevelCount: 5 });

  it("lays out columns per feature attribute with labels and owners", () => {
    expect(state.columns.map((c) => c.label)).toEqual([
      "income",
      "income=missing",
      "region=north",
      "region=south",
      "region=other",
      "region=missing",
      "self_employed",
      "self_employed=missing",
      "filed_on (year)",
      "filed_on month (sin)",
      "filed_on month (cos)",
      "filed_on weekday",
      "filed_on=missing",
    ]);
    expect(state.nCols).toBe(13);
    expect(new Set(state.columns.map((c) => c.attribute))).toEqual(
      new Set(["income", "region", "self_employed", "filed_on"]),
    );
    expect(Array.from(columnAttributeIndex(state))).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3]);
  });

  it("is JSON-serialisable and validates against its schema", () => {
    const copy = EncoderState.parse(JSON.parse(JSON.stringify(state)));
    expect(copy).toEqual(state);
  });

  it("scales numerics by median and IQR and clips outliers", () => {
    const income = state.attributes[0];
    if (income.type !== "numeric") throw new Error("expected numeric");
    const { X } = encodeRows(state, [makeRow({ income: income.median }), makeRow({ income: 1e9 }), makeRow({ income: -1e9 })]);
    expect(X[0]).toBeCloseTo(0, 6);
    expect(X[13]).toBe(5);
    expect(X[26]).toBe(-5);
  });

  it("sends unseen levels to other and nulls to missing", () => {
    const { X } = encodeRows(state, [makeRow({ region: "mars" }), makeRow({ region: null }), makeRow({ region: "south" })]);
    const region = (r: number) => Array.from(X.subarray(r * 13 + 2, r * 13 + 6));
    expect(region(0)).toEqual([0, 0, 1, 0]);
    expect(region(1)).toEqual([0, 0, 0, 1]);
    expect(region(2)).toEqual([0, 1, 0, 0]);
  });

  it("encodes missing numeric, boolean and date with indicators", () => {
    const { X } = encodeRows(state, [makeRow({ income: "n/a", self_employed: "maybe", filed_on: "not a date" })]);
    expect(Array.from(X.subarray(0, 2))).toEqual([0, 1]);
    expect(Array.from(X.subarray(6, 8))).toEqual([0, 1]);
    expect(Array.from(X.subarray(8, 13))).toEqual([0, 0, 0, 0, 1]);
  });

  it("derives month and weekday from ISO dates", () => {
    // 2024-03-15 is a Friday (weekday 5); March is month 3.
    const { X } = encodeRows(state, [makeRow({ filed_on: "2024-03-15T10:00:00Z" })]);
    expect(X[9]).toBeCloseTo(Math.sin((2 * Math.PI * 2) / 12), 5);
    expect(X[10]).toBeCloseTo(Math.cos((2 * Math.PI * 2) / 12), 5);
    expect(X[11]).toBeCloseTo(5 / 6, 6);
  });

  it("gives identical output on the columnar fast path", () => {
    const rows = [...training, makeRow({ region: "mars", income: "7" })];
    const a = encodeRows(state, rows);
    const columns = {
      income: Float64Array.from(rows, (r) => (typeof r.income === "number" ? r.income : r.income === "7" ? 7 : Number.NaN)),
      region: rows.map((r) => r.region),
      self_employed: rows.map((r) => r.self_employed),
      filed_on: rows.map((r) => r.filed_on),
    };
    const b = encodeColumns(state, columns, rows.length);
    expect(b.X).toEqual(a.X);
  });

  it("reuses an output buffer and overwrites every column", () => {
    const buffer = new Float32Array(13 * 2).fill(9);
    encodeRows(state, [makeRow(), makeRow({ region: "south" })], buffer);
    expect(buffer.every((v) => v !== 9)).toBe(true);
  });

  it("encodes the typical row as the baseline (0 for numerics at the median)", () => {
    const base = encodeBaseline(state);
    expect(base[0]).toBeCloseTo(0, 6);
    expect(base[1]).toBe(0);
    expect(base[2]).toBe(1);
  });

  it("log-transforms skewed non-negative amounts", () => {
    const amounts = Array.from({ length: 500 }, (_, i) => ({ amount: Math.exp((i / 500) * 12) }));
    const s = fitEncoder(FeatureSchemaDefinition.parse({ attributes: [{ name: "amount", type: "numeric" }] }), amounts);
    expect(s.attributes[0]).toMatchObject({ transform: "log1p" });
    const { X } = encodeRows(s, amounts);
    let clipped = 0;
    for (let i = 0; i < 500; i++) if (Math.abs(X[i * 2]) >= 5) clipped++;
    expect(clipped).toBe(0);
  });

  it("encodes 1,000,000 columnar rows within a few seconds", () => {
    const n = 1_000_000;
    const columns = {
      income: Float64Array.from({ length: n }, (_, i) => (i % 97) * 3.5),
      region: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "north" : i % 3 === 1 ? "south" : "west")),
      self_employed: Array.from({ length: n }, (_, i) => i % 2 === 0),
      filed_on: Array.from({ length: n }, (_, i) => `2023-${String((i % 12) + 1).padStart(2, "0")}-1${i % 10}`),
    };
    const t0 = performance.now();
    const { X } = encodeColumns(state, columns, n);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(X.length).toBe(n * 13);
  });
});

describe("piecewise-linear numeric columns (numericBins)", () => {
  const numeric = FeatureSchemaDefinition.parse({ attributes: [{ name: "x", type: "numeric" }, { name: "flag", type: "numeric" }] });
  // x uniform over 0…99; flag takes 2 values, fewer than the bins, so it gets no segments.
  const rows: Attributes[] = Array.from({ length: 100 }, (_, i) => ({ x: i, flag: i % 2 }));
  const state = fitEncoder(numeric, [...rows, { x: null, flag: null }], { numericBins: 4 });

  it("cuts segments at the training quantiles and lays them out between the value and missing columns", () => {
    const x = state.attributes[0];
    expect(x.type === "numeric" && x.edges).toEqual([0, 24.75, 49.5, 74.25, 99]);
    expect(x.width).toBe(1 + 4 + 1);
    expect(state.columns.slice(0, 6).map((c) => c.label)).toEqual(["x", "x segment 1/4", "x segment 2/4", "x segment 3/4", "x segment 4/4", "x=missing"]);
    const flag = state.attributes[1];
    expect(flag.type === "numeric" && flag.edges).toBeUndefined();
    expect(flag.width).toBe(2);
    expect(state.nCols).toBe(8);
    expect(EncoderState.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it("fills the segments below a value, a fraction of its own, none above; none when missing", () => {
    const { X } = encodeRows(state, [{ x: 60, flag: 1 }, { x: null, flag: 0 }, { x: 500, flag: 0 }]);
    const segs = (r: number) => Array.from(X.subarray(r * 8 + 1, r * 8 + 5));
    expect(segs(0)[0]).toBe(1);
    expect(segs(0)[1]).toBe(1);
    expect(segs(0)[2]).toBeCloseTo((60 - 49.5) / 24.75, 6);
    expect(segs(0)[3]).toBe(0);
    expect(segs(1)).toEqual([0, 0, 0, 0]);
    expect(X[1 * 8 + 5]).toBe(1);
    expect(X[0 * 8 + 5]).toBe(0);
    expect(segs(2)).toEqual([1, 1, 1, 1]);
  });

  it("is off by default, so encoders fitted without the option keep one column per numeric", () => {
    const plain = fitEncoder(numeric, rows);
    expect(plain.nCols).toBe(4);
    expect(plain.attributes[0]).not.toHaveProperty("edges");
  });
});
