import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvStream, escapeCsvCell } from "../../../services/lists/csv-export.js";

describe("escapeCsvCell", () => {
  it("prefixes a quote to cells a spreadsheet would run as a formula, and only those", () => {
    for (const bad of ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]) expect(escapeCsvCell(bad)).toBe(`'${bad}`);
    for (const ok of ["plain", "a=b", "1-2", "", " =x"]) expect(escapeCsvCell(ok)).toBe(ok);
  });
});

describe("csvStream", () => {
  it("streams a header and escaped rows that csv-parse reads back, numbers included", async () => {
    const text = await new Response(csvStream(["a", "b"], [["=HYPERLINK(\"x\")", -5], ["line\nbreak, \"quoted\"", 0.25]])).text();
    expect(parse(text, { columns: true })).toEqual([
      { a: "'=HYPERLINK(\"x\")", b: "'-5" },
      { a: "line\nbreak, \"quoted\"", b: "0.25" },
    ]);
  });
});
