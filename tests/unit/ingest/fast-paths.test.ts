import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttributesArena } from "../../../services/db/queries/file-writes.js";
import { parseNumberCell, parseTextCell, plainNumberJson, plainTextJson } from "../../../services/ingest/values.js";

/**
 * The allocation-free cell checks and the byte blocks of CSV file rows are shortcuts: whatever they
 * accept must give exactly what the full parsers give, and the bytes must read back as the JSON.
 */
describe("import fast paths", () => {
  const numberish = fc.oneof(
    fc.double({ noNaN: true }).map(String),
    fc.integer().map(String),
    fc.stringMatching(/^[+-]?\d{0,4}\.?\d{0,4}(e[+-]?\d{1,3})?$/),
    fc.string(),
  );

  it("plainNumberJson accepts only what parseNumberCell keeps as written", () => {
    fc.assert(
      fc.property(numberish, (cell) => {
        const plain = plainNumberJson(cell);
        if (plain !== null) expect(parseNumberCell(cell)).toEqual({ ok: true, json: plain });
      }),
      { numRuns: 2000 },
    );
    expect(plainNumberJson("1e999")).toBeNull();
    expect(plainNumberJson("0.1832")).toBe("0.1832");
  });

  it("plainTextJson accepts only text that parseTextCell stores with the same JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })), (cell) => {
        const plain = plainTextJson(cell);
        if (plain !== null) expect(parseTextCell(cell)).toEqual({ ok: true, json: plain });
      }),
      { numRuns: 2000 },
    );
    expect(plainTextJson('say "hi"')).toBeNull();
    expect(plainTextJson("a\u0000b")).toBeNull();
    expect(plainTextJson("x".repeat(1001))).toBeNull();
  });

  it("AttributesArena rows read back their JSON as string and bytes, across blocks", () => {
    const arena = new AttributesArena();
    const rows = [];
    for (let i = 0; i < 3000; i += 1) {
      const json = JSON.stringify({ n: i, city: i % 2 ? "Zürich" : "北京", pad: "x".repeat(i % 700) });
      const row = arena.row(i + 2, `F${i}`, "central", json);
      expect(row).not.toBeNull();
      rows.push({ row, json });
    }
    for (const { row, json } of rows) {
      expect(row?.attributesJson).toBe(json);
      expect(row?.attributesBytes?.toString("utf8")).toBe(json);
    }
    const escaped = JSON.stringify({ a: "back\\slash", b: "tab\there" });
    expect(arena.row(1, "F", "u", escaped).attributesBytes.toString("utf8")).toBe(escaped);
  });
});
