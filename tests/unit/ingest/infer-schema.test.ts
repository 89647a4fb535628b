import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { inferSchema, readCsvSample } from "../../../services/ingest/infer-schema.js";

describe("inferSchema", () => {
  it("guesses types, missing policy and ignores id-like columns", () => {
    const header = ["id", "unit", "amount", "flag", "since", "kind", "ref"];
    const rows = Array.from({ length: 30 }, (_, i) => [
      `F${i}`,
      "north",
      String(i * 1.5),
      i % 2 ? "yes" : "no",
      `2024-01-${String((i % 28) + 1).padStart(2, "0")}`,
      i % 3 ? "a" : "",
      `ref-${i}`,
    ]);
    const result = inferSchema(header, rows);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.proposal.schema.attributes).toEqual([
      { name: "amount", type: "numeric", role: "feature", missing: "reject" },
      { name: "flag", type: "boolean", role: "feature", missing: "reject" },
      { name: "since", type: "date", role: "feature", missing: "reject" },
      { name: "kind", type: "categorical", role: "feature", missing: "allow" },
      { name: "ref", type: "categorical", role: "ignore", missing: "reject" },
    ]);
  });

  it("maps any header to a safe attribute name and keeps the header; refuses two headers that map to one name", () => {
    const result = inferSchema(["ID", "Unit", "Turn Over", "HTTPStatus", "2ndAddress", "Région"], [["1", "n", "2", "200", "x", "y"]]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.proposal.schema.attributes.map((a) => [a.name, a.header])).toEqual([
      ["turn_over", "Turn Over"],
      ["http_status", "HTTPStatus"],
      ["c_2nd_address", "2ndAddress"],
      ["region", "Région"],
    ]);
    const clash = inferSchema(["id", "unit", "Turn Over", "turn_over"], [["1", "n", "2", "3"]]);
    expect(clash.ok).toBe(false);
  });
});

describe("readCsvSample", () => {
  it("stops after the limit", async () => {
    const sample = await readCsvSample(Readable.from(["id,unit,x\n", "1,a,2\n2,a,3\n3,a,4\n"]), 2);
    expect(sample).toEqual({ header: ["id", "unit", "x"], rows: [["1", "a", "2"], ["2", "a", "3"]] });
  });
});
