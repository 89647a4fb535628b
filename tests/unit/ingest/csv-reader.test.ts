import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvReader, CsvSyntaxError } from "../../../services/ingest/csv-reader.js";

/** Reads `text` fed in pieces at the given cut points; returns records with their start lines and errors. */
function read(text: string, cuts: number[] = []) {
  const records: { fields: string[]; line: number }[] = [];
  const errors: { line: number; message: string }[] = [];
  const reader = new CsvReader({ record: (fields, line) => records.push({ fields, line }), error: (line, message) => errors.push({ line, message }) });
  const buffer = Buffer.from(text);
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.push(buffer.subarray(from, Math.max(from, Math.min(cut, buffer.length))));
    from = Math.max(from, Math.min(cut, buffer.length));
  }
  reader.push(buffer.subarray(from));
  reader.end();
  return { records, errors };
}

describe("CsvReader", () => {
  it("reads plain and quoted fields with the line each record starts on", () => {
    const { records } = read('id,note\n1,plain\n2,"a, ""quoted""\nvalue"\r\n3,\n');
    expect(records).toEqual([
      { fields: ["id", "note"], line: 1 },
      { fields: ["1", "plain"], line: 2 },
      { fields: ["2", 'a, "quoted"\nvalue'], line: 3 },
      { fields: ["3", ""], line: 5 },
    ]);
  });

  it("skips blank lines, strips a byte order mark and reads a last line without its end", () => {
    expect(read("\uFEFFa,b\n\n1,2").records).toEqual([
      { fields: ["a", "b"], line: 1 },
      { fields: ["1", "2"], line: 3 },
    ]);
  });

  it("reports a closing quote followed by text, then goes on with the next line", () => {
    const { records, errors } = read('a\n"x"y\n2\n');
    expect(errors).toEqual([{ line: 2, message: expect.stringMatching(/closing quote/) }]);
    expect(records.map((r) => r.fields)).toEqual([["a"], ["2"]]);
  });

  it("throws on an unclosed quote at the end", () => {
    expect(() => read('a\n"open\n')).toThrow(CsvSyntaxError);
  });

  it("refuses an unquoted line longer than a record may be, at once and naming its line", () => {
    const reader = new CsvReader({ record: () => {}, error: () => {} });
    reader.push("id,unit\n1,north\n");
    const chunk = Buffer.alloc(64 * 1024, "x");
    const started = performance.now();
    let thrown: unknown;
    try {
      for (let i = 0; i < 800; i++) reader.push(chunk); // 50 MB with no line end
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CsvSyntaxError);
    expect((thrown as CsvSyntaxError).line).toBe(3);
    expect((thrown as CsvSyntaxError).message).toMatch(/longer than/);
    // Refused once the bound is passed, not after the 50 MB: well under a second of work.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses invalid UTF-8 naming its line, instead of replacing it with U+FFFD", () => {
    const reader = new CsvReader({ record: () => {}, error: () => {} });
    const bytes = Buffer.concat([Buffer.from("id,unit\n1,north\n2,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    expect(() => reader.push(bytes)).toThrow(/line 3: .*not valid UTF-8/);
  });

  it("reads back whatever csv-stringify writes, however the bytes are cut (property)", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r\n", " ", "1", "€") , maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(400)), (rows, cuts) => {
        const text = stringify(rows);
        expect(read(text, cuts).records.map((r) => r.fields)).toEqual(rows);
      }),
    );
  });
});
