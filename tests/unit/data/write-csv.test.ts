import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPopulation, type DemoRow } from "../../../data/demo/generate.js";
import { demoSchema } from "../../../data/demo/schema.js";
import { OUTCOME_COLUMNS, TRUTH_COLUMNS, fileColumns, writeDemoPopulation, type WriteDemoResult } from "../../../data/demo/write-csv.js";
import type { AttributeValue } from "../../../models/feature-schema.js";

const OPTIONS = { files: 3000, seed: 11 };
const schema = demoSchema();

/** A CSV cell back to the attribute value it encodes, by the attribute's declared type. */
const decode = (type: string, cell: string): AttributeValue => {
  if (cell === "") return null;
  if (type === "numeric") return Number(cell);
  if (type === "boolean") {
    expect(["true", "false"]).toContain(cell);
    return cell === "true";
  }
  return cell;
};

const readCsv = async (path: string): Promise<string[][]> => parse(await readFile(path, "utf8")) as string[][];

describe("writeDemoPopulation", () => {
  let dir: string;
  let result: WriteDemoResult;
  let rows: DemoRow[];
  const progress: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "demo-"));
    result = await writeDemoPopulation(join(dir, "out"), { ...OPTIONS, progressEvery: 1000, onProgress: (n) => progress.push(n) });
    rows = [...demoPopulation(OPTIONS)];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes files.csv that parses back to the generated files", async () => {
    const [header, ...records] = await readCsv(result.paths.files);
    expect(header).toEqual(fileColumns());
    expect(header).toEqual(["id", "unit", ...schema.attributes.map((a) => a.name)]);
    expect(records).toHaveLength(OPTIONS.files);
    expect(result.files).toBe(OPTIONS.files);
    records.forEach((record, i) => {
      const attributes = Object.fromEntries(schema.attributes.map((a, j) => [a.name, decode(a.type, record[j + 2])]));
      expect({ id: record[0], unit: record[1], attributes }).toEqual(rows[i].file);
    });
  });

  it("writes outcomes.csv that parses back to the generated controls", async () => {
    const [header, ...records] = await readCsv(result.paths.outcomes);
    expect(header).toEqual([...OUTCOME_COLUMNS]);
    const expected = rows.flatMap((r) => r.outcomes.map((o) => ({ fileId: r.file.id, ...o })));
    expect(records).toHaveLength(expected.length);
    expect(result.outcomes).toBe(expected.length);
    const parsed = records.map(([fileId, controlledAt, outcome, amount, selectedBy, probability, inspector]) => ({
      fileId,
      controlledAt,
      outcome: Number(outcome),
      amount: amount === "" ? null : Number(amount),
      selectedBy,
      selectionProbability: probability === "" ? null : Number(probability),
      inspector,
    }));
    expect(parsed).toEqual(expected);
  });

  it("writes truth.csv with each file's exact probability", async () => {
    const [header, ...records] = await readCsv(result.paths.truth);
    expect(header).toEqual([...TRUTH_COLUMNS]);
    expect(records.map(([id, p]) => ({ id, p: Number(p) }))).toEqual(rows.map((r) => ({ id: r.file.id, p: r.truth })));
  });

  it("writes schema.json equal to demoSchema()", async () => {
    expect(JSON.parse(await readFile(result.paths.schema, "utf8"))).toEqual(schema);
  });

  it("reports progress every progressEvery files and at the end", () => {
    expect(progress).toEqual([1000, 2000, 3000, 3000]);
  });

  it("writes the same bytes on a second run with the same seed", async () => {
    const again = await writeDemoPopulation(join(dir, "again"), OPTIONS);
    for (const key of ["files", "outcomes", "truth", "schema"] as const) {
      expect(await readFile(again.paths[key], "utf8"), key).toBe(await readFile(result.paths[key], "utf8"));
    }
  });

  it("rejects, leaving no dangling stream, when the options are invalid", async () => {
    await expect(writeDemoPopulation(join(dir, "bad"), { files: -1, seed: 1 })).rejects.toThrow(RangeError);
  });
});
