import { describe, expect, it } from "vitest";
import { demoSchema } from "../../../data/demo/schema.js";
import { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { checkFileJson, compileFileCsv, inJsonbKeyOrder, type RowError } from "../../../services/ingest/validate-row.js";
import { parseBooleanCell, parseDateCell, parseNumberCell } from "../../../services/ingest/values.js";

const schema = FeatureSchemaDefinition.parse({
  attributes: [
    { name: "turnover", type: "numeric", missing: "reject" },
    { name: "sector", type: "categorical" },
    { name: "vat", type: "boolean" },
    { name: "since", type: "date" },
  ],
});

describe("cell parsers", () => {
  it("parseNumberCell keeps JSON numbers as written, normalizes other decimals, refuses the rest", () => {
    expect(parseNumberCell("0.1832")).toEqual({ ok: true, json: "0.1832" });
    expect(parseNumberCell("+007.50")).toEqual({ ok: true, json: "7.5" });
    for (const bad of ["0x10", "1,5", "Infinity", "1e999", "12 ", "abc"]) expect(parseNumberCell(bad).ok).toBe(false);
  });
  it("parseBooleanCell reads true/false, 1/0, yes/no in any case", () => {
    expect(["TRUE", "1", "yes"].map((c) => parseBooleanCell(c))).toEqual(Array(3).fill({ ok: true, json: "true" }));
    expect(parseBooleanCell("maybe").ok).toBe(false);
  });
  it("parseDateCell accepts calendar dates and date-times with an offset only", () => {
    expect(parseDateCell("2024-02-29").ok).toBe(true);
    expect(parseDateCell("2024-02-29T10:00:00Z").ok).toBe(true);
    for (const bad of ["2023-02-29", "2024-13-01", "2024-01-01T10:00:00", "01/02/2024"]) expect(parseDateCell(bad).ok).toBe(false);
  });
});

describe("compileFileCsv", () => {
  it("refuses a header with an unknown, repeated or missing required column", () => {
    const result = compileFileCsv(schema, ["id", "unit", "sector", "sector", "colour"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.column)).toEqual(["sector", "colour", "turnover"]);
  });

  it("turns a row into attributes JSON with every schema attribute, null when missing or left out", () => {
    const result = compileFileCsv(schema, ["unit", "id", "turnover", "vat"]);
    if (!result.ok) throw new Error("header refused");
    const errors: RowError[] = [];
    const row = result.validator.check(["north", "F1", "1e3", "no"], 2, errors);
    expect(errors).toEqual([]);
    expect(row).toMatchObject({ id: "F1", unit: "north", line: 2 });
    expect(JSON.parse(row?.attributesJson ?? "")).toEqual({ turnover: 1000, sector: null, vat: false, since: null });
  });

  it("writes the attributes JSON in jsonb's key order (shorter keys first), CSV and JSON alike", () => {
    const result = compileFileCsv(schema, ["id", "unit", "turnover", "sector", "vat", "since"]);
    if (!result.ok) throw new Error("header refused");
    const row = result.validator.check(["F1", "north", "5", "retail", "true", "2024-01-02"], 2, []);
    const expected = '{"vat":true,"since":"2024-01-02","sector":"retail","turnover":5}';
    expect(row?.attributesJson).toBe(expected);
    const input = { id: "F1", unit: "north", attributes: { turnover: 5, sector: "retail", vat: true, since: "2024-01-02" } };
    expect(checkFileJson(schema, input, 0, [])?.attributesJson).toBe(expected);
    expect(inJsonbKeyOrder([{ name: "bb" }, { name: "a" }, { name: "ab" }]).map((a) => a.name)).toEqual(["a", "ab", "bb"]);
  });

  it("reports every bad cell of a row with its column", () => {
    const result = compileFileCsv(schema, ["id", "unit", "turnover", "sector", "vat", "since"]);
    if (!result.ok) throw new Error("header refused");
    const errors: RowError[] = [];
    expect(result.validator.check([" F1", "North", "", "a\u0000b", "x", "2024-1-1"], 7, errors)).toBeNull();
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [7, "id"],
      [7, "unit"],
      [7, "turnover"],
      [7, "sector"],
      [7, "vat"],
      [7, "since"],
    ]);
  });

  it("accepts every row of the demo schema's own shape", () => {
    const demo = demoSchema();
    const header = ["id", "unit", ...demo.attributes.map((a) => a.name)];
    expect(compileFileCsv(demo, header).ok).toBe(true);
  });
});

describe("checkFileJson", () => {
  it("requires JSON values of the declared type", () => {
    const errors: RowError[] = [];
    const row = checkFileJson(schema, { id: "F1", unit: "north", attributes: { turnover: "12", vat: 1, since: "2024-01-01", extra: 1 } }, 3, errors);
    expect(row).toBeNull();
    expect(errors.map((e) => e.column)).toEqual(["extra", "turnover", "vat"]);
  });
});
