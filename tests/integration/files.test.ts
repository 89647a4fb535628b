import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPopulation } from "../../data/demo/generate.js";
import { writeDemoPopulation } from "../../data/demo/write-csv.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DRIVERS } from "../helpers/database.js";
import { fixtureFilesCsv, headLines, postCsv, type Problem, putDemoSchema, tableCounts, withCell } from "../helpers/ingest.js";
import { listAuditEvents } from "../../services/db/queries/audit-events.js";
import { FILE_CHUNK_ROWS } from "../../services/ingest/import-files.js";

const FIXTURE = fixtureFilesCsv();
const FIXTURE_ROWS = [...demoPopulation({ files: 500, seed: 1 })];
/** What a stored value reads back as: JSON has no -0 (CSV writes it as 0). */
const normalized = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe.each(DRIVERS)("files API on %s", (driver) => {
  let ctx: TestContext;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext(driver);
    officer = await ctx.key("data_officer");
  });
  afterAll(() => ctx.close());

  it("POST /v1/files/import answers 409 before any schema exists, writing nothing", async () => {
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/files/import", officer, headLines(FIXTURE, 3));
    expect(res.status).toBe(409);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("POST /v1/files/import imports the demo fixture and GET /v1/files/:id reads it back identical", async () => {
    await putDemoSchema(ctx, officer);
    const res = await postCsv(ctx, "/v1/files/import", officer, FIXTURE);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: "all-or-nothing", rows: 500, inserted: 500, updated: 0, rejected: 0, errors: [] });
    for (const row of [FIXTURE_ROWS[0], FIXTURE_ROWS[137], FIXTURE_ROWS[499]]) {
      const got = await ctx.request("GET", `/v1/files/${row.file.id}`, { key: officer });
      expect(got.status).toBe(200);
      const body = (await got.json()) as { id: string; unit: string; attributes: unknown };
      expect({ id: body.id, unit: body.unit, attributes: body.attributes }).toEqual(normalized(row.file));
    }
    const events = await ctx.request("GET", "/v1/audit/events?action=files.import", { key: await ctx.key("auditor") });
    const { items } = (await events.json()) as { items: { details: Record<string, unknown> }[] };
    expect(items.at(-1)?.details).toMatchObject({ rows: 500, inserted: 500, updated: 0, rejected: 0, mode: "all-or-nothing" });
  });

  it("a re-import of identical rows reports them unchanged and writes nothing", async () => {
    const first = (await (await ctx.request("GET", "/v1/files/F0000001", { key: officer })).json()) as { updatedAt: string };
    const res = await postCsv(ctx, "/v1/files/import", officer, FIXTURE);
    expect(await res.json()).toMatchObject({ rows: 500, inserted: 0, updated: 0, unchanged: 500, rejected: 0 });
    const again = (await (await ctx.request("GET", "/v1/files/F0000001", { key: officer })).json()) as { updatedAt: string };
    expect(again.updatedAt).toBe(first.updatedAt);
    // An unchanged id repeated later in the same import is still refused as a repeat.
    const repeated = `${FIXTURE.trimEnd()}\n${FIXTURE.split("\n")[1]}\n`;
    const refused = await postCsv(ctx, "/v1/files/import", officer, repeated);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toMatch(/is repeated/);
  });

  it("a re-import updates the changed row's attributes and updated_at without duplicating rows", async () => {
    const before = await tableCounts(ctx);
    const first = (await (await ctx.request("GET", "/v1/files/F0000002", { key: officer })).json()) as { updatedAt: string };
    const changed = withCell(FIXTURE, 3, "turnover", "123456");
    const res = await postCsv(ctx, "/v1/files/import", officer, changed);
    expect(await res.json()).toMatchObject({ rows: 500, inserted: 0, updated: 1, unchanged: 499, rejected: 0 });
    const after = await tableCounts(ctx);
    expect(after.files).toBe(before.files);
    const file = (await (await ctx.request("GET", "/v1/files/F0000002", { key: officer })).json()) as {
      attributes: { turnover: number };
      updatedAt: string;
    };
    expect(file.attributes.turnover).toBe(123456);
    expect(Date.parse(file.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
  });

  it("accepts a gzip body (Content-Encoding: gzip and application/gzip)", async () => {
    const gz = gzipSync(headLines(FIXTURE, 20));
    const a = await postCsv(ctx, "/v1/files/import", officer, gz, { "content-encoding": "gzip" });
    expect(await a.json()).toMatchObject({ rows: 20, inserted: 0, rejected: 0 });
    const b = await postCsv(ctx, "/v1/files/import", officer, gz, { "content-type": "application/gzip" });
    expect(await b.json()).toMatchObject({ rows: 20, inserted: 0, updated: 0, unchanged: 20 });
  });

  const bad: [string, () => string, { line?: number; column?: string; message: RegExp }][] = [
    ["a number that does not parse", () => withCell(headLines(FIXTURE, 5), 4, "turnover", "12,5x".replace(",", "")), { line: 4, column: "turnover", message: /not a number/ }],
    ["a date that is not ISO 8601", () => withCell(headLines(FIXTURE, 5), 2, "registration_date", "18/07/2025"), { line: 2, column: "registration_date", message: /ISO 8601/ }],
    ["an impossible date", () => withCell(headLines(FIXTURE, 5), 2, "registration_date", "2025-02-30"), { line: 2, column: "registration_date", message: /ISO 8601/ }],
    ["a boolean that is not one", () => withCell(headLines(FIXTURE, 5), 5, "vat_registered", "maybe"), { line: 5, column: "vat_registered", message: /not a boolean/ }],
    ["a missing value the schema rejects", () => withCell(headLines(FIXTURE, 5), 3, "sector", ""), { line: 3, column: "sector", message: /required/ }],
    ["a bad unit", () => withCell(headLines(FIXTURE, 5), 3, "unit", "North Office"), { line: 3, column: "unit", message: /unit id/ }],
    ["a missing required column", () => headLines(FIXTURE, 5).split("\n").map((l) => l.split(",").slice(0, -1).join(",")).join("\n"), { line: 1, column: "refund_claimed", message: /required/ }],
    ["an unknown column", () => withCell(headLines(FIXTURE, 5), 1, "employees", "employes"), { line: 1, column: "employes", message: /unknown column/ }],
    ["a row with too few fields", () => headLines(FIXTURE, 5).replace(/\n(F0000003[^\n]*),[^,\n]*\n/, "\n$1\n"), { line: 4, message: /expected 27 fields/ }],
    ["an id repeated in the upload", () => `${headLines(FIXTURE, 5)}${FIXTURE.split("\n")[2]}\n`, { line: 7, column: "id", message: /repeated/ }],
    ["an unclosed quote", () => `${headLines(FIXTURE, 2)}"F9,north`, { line: 4, message: /unclosed quote/ }],
    ["an empty body", () => "", { line: 1, message: /empty/ }],
  ];
  it.each(bad)("refuses %s with a 422 problem naming line and column, and writes nothing", async (_name, make, expected) => {
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/files/import", officer, make().replace(/F00000(0\d)/g, "G00000$1"));
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as Problem;
    expect(problem.errors?.[0]).toMatchObject({ ...(expected.line ? { line: expected.line } : {}), ...(expected.column ? { column: expected.column } : {}) });
    expect(problem.errors?.[0].message).toMatch(expected.message);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("lists the first 100 errors of a file with more, in line order", async () => {
    const lines = FIXTURE.split("\n");
    const broken = [lines[0], ...lines.slice(1, 301).map((l) => l.replace(/^F00/, "X00").replace(/,(\d+),(\d+),/, ",oops,$2,"))].join("\n");
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/files/import", officer, broken);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors).toHaveLength(100);
    expect(problem.errors?.map((e) => e.line)).toEqual([...Array(100).keys()].map((i) => i + 2));
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("?mode=skip-invalid writes the good rows and reports the bad ones", async () => {
    const csv = withCell(withCell(headLines(FIXTURE, 10), 3, "turnover", "lots"), 5, "registration_date", "yesterday").replace(/F00000/g, "S00000");
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/files/import?mode=skip-invalid", officer, csv);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: number; inserted: number; rejected: number; errors: Problem["errors"] };
    expect(body).toMatchObject({ rows: 10, inserted: 8, rejected: 2 });
    expect(body.errors?.map((e) => [e.line, e.column])).toEqual([[3, "turnover"], [5, "registration_date"]]);
    expect((await tableCounts(ctx)).files).toBe(before.files + 8);
  });

  it("answers 415 for a body that is not CSV and 413 past IMPORT_LIMIT_BYTES", async () => {
    const res = await ctx.request("POST", "/v1/files/import", { key: officer, json: { files: [] } });
    expect(res.status).toBe(415);
    const small = await createTestContext(driver, { IMPORT_LIMIT_BYTES: "2000" });
    try {
      const key = await small.key("data_officer");
      await putDemoSchema(small, key);
      const before = await tableCounts(small);
      const big = await postCsv(small, "/v1/files/import", key, FIXTURE);
      expect(big.status).toBe(413);
      expect(await tableCounts(small)).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it("POST /v1/files upserts a JSON batch and refuses a bad one with paths", async () => {
    const file = normalized(FIXTURE_ROWS[0].file);
    const ok = await ctx.request("POST", "/v1/files", { key: officer, json: { files: [{ ...file, id: "J1" }, { ...file, id: "J2" }] } });
    expect(await ok.json()).toMatchObject({ rows: 2, inserted: 2, updated: 0 });
    const before = await tableCounts(ctx);
    const res = await ctx.request("POST", "/v1/files", {
      key: officer,
      json: { files: [{ ...file, id: "J3" }, { ...file, id: "J1", attributes: { ...file.attributes, turnover: "big", colour: "red" } }] },
    });
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as Problem).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["files.1.attributes.turnover", "files.1.attributes.colour"]));
    expect(await tableCounts(ctx)).toEqual(before);
    const tooMany = await ctx.request("POST", "/v1/files", { key: officer, json: { files: Array.from({ length: 5001 }, () => file) } });
    expect(tooMany.status).toBe(422);
  });

  it("GET /v1/files pages by id and scopes inspectors to their units", async () => {
    const auditor = await ctx.key("auditor");
    const seen: string[] = [];
    let after: string | null = "";
    while (after !== null) {
      const res = await ctx.request("GET", `/v1/files?limit=200${after ? `&after=${after}` : ""}`, { key: auditor });
      const page = (await res.json()) as { items: { id: string }[]; nextAfter: string | null };
      seen.push(...page.items.map((f) => f.id));
      after = page.nextAfter;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);

    const inspector = await ctx.key("inspector", ["north"]);
    const mine = (await (await ctx.request("GET", "/v1/files?limit=1000", { key: inspector })).json()) as { items: { unit: string }[] };
    expect(mine.items.length).toBe(FIXTURE_ROWS.filter((r) => r.file.unit === "north").length);
    expect(mine.items.every((f) => f.unit === "north")).toBe(true);
    expect((await ctx.request("GET", "/v1/files?unit=south", { key: inspector })).status).toBe(403);
    const other = FIXTURE_ROWS.find((r) => r.file.unit !== "north")?.file.id;
    expect((await ctx.request("GET", `/v1/files/${other}`, { key: inspector })).status).toBe(404);
    const own = FIXTURE_ROWS.find((r) => r.file.unit === "north")?.file.id;
    expect((await ctx.request("GET", `/v1/files/${own}`, { key: inspector })).status).toBe(200);
    // Pulling files, as a list or one by one, is recorded for the auditors.
    const pulls = await listAuditEvents(ctx.test.database.db, { limit: 1000, action: "files.*" });
    expect(pulls.items.filter((e) => e.action === "files.list" && e.actor === inspector.slice(0, 12))).toHaveLength(1);
    expect(pulls.items.filter((e) => e.action === "files.read" && e.target === own)).toHaveLength(1);
    expect((await postCsv(ctx, "/v1/files/import", inspector, headLines(FIXTURE, 1))).status).toBe(403);
    expect((await ctx.request("GET", "/v1/files/NOPE", { key: auditor })).status).toBe(404);
  });

  it("stores text that COPY or JSON must escape exactly as sent (binary COPY)", async () => {
    const sector = 'Zürich \\ "quoted"\ttab, ☃ \\N';
    const id = "Fé \\ ☃-1";
    const row = withCell(withCell(headLines(FIXTURE, 1), 2, "sector", `"${sector.replace(/"/g, '""')}"`), 2, "id", `"${id}"`);
    const res = await postCsv(ctx, "/v1/files/import", officer, row);
    expect(res.status).toBe(200);
    const file = (await (await ctx.request("GET", `/v1/files/${encodeURIComponent(id)}`, { key: officer })).json()) as {
      attributes: Record<string, unknown>;
    };
    expect(file.attributes.sector).toBe(sector);
  });

  it("any CSV the demo generator writes imports and reads back identical (property)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cts-files-"));
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 40 }), async (seed, files) => {
          const { paths } = await writeDemoPopulation(dir, { files, seed });
          const res = await postCsv(ctx, "/v1/files/import", officer, await readFile(paths.files));
          expect(res.status).toBe(200);
          const page = (await (await ctx.request("GET", `/v1/files?limit=${files}`, { key: officer })).json()) as {
            items: { id: string; unit: string; attributes: unknown }[];
          };
          const expected = [...demoPopulation({ files, seed })].map((r) => normalized(r.file));
          expect(page.items.map((f) => ({ id: f.id, unit: f.unit, attributes: f.attributes }))).toEqual(expected);
        }),
        { numRuns: driver === "postgres" ? 15 : 8 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses an id repeated in the next chunk, also when that chunk's existence probe went out early", async () => {
    // Chunk N+1's probe is queued behind chunk N's COPY (FileChunkWriter): it must still see chunk N's
    // rows. The gzip body arrives in 16 KB pieces, so chunks end near FILE_CHUNK_ROWS rows.
    const total = 2 * FILE_CHUNK_ROWS + 100;
    const lines = FIXTURE.split("\n");
    const id = (i: number) => `P${String(i).padStart(7, "0")}`;
    const rows = [...Array(total).keys()].map((i) => lines[1 + (i % 500)].replace(/^[^,]+/, id(i)));
    const repeatAt = FILE_CHUNK_ROWS + 200;
    rows.splice(repeatAt, 0, rows[FILE_CHUNK_ROWS - 1]);
    const body = gzipSync(`${lines[0]}\n${rows.join("\n")}\n`);
    const repeated = { line: repeatAt + 2, column: "id", message: expect.stringMatching(/came earlier/) };
    const before = await tableCounts(ctx);
    const first = await postCsv(ctx, "/v1/files/import?mode=skip-invalid", officer, body, { "content-encoding": "gzip" });
    expect(await first.json()).toMatchObject({ rows: total + 1, inserted: total, updated: 0, rejected: 1, errors: [repeated] });
    // Again: now chunk N finds its stored files unchanged and writes nothing, and chunk N+1 must
    // still tell that the id came earlier in this import.
    const again = await postCsv(ctx, "/v1/files/import?mode=skip-invalid", officer, body, { "content-encoding": "gzip" });
    expect(await again.json()).toMatchObject({ rows: total + 1, inserted: 0, updated: 0, unchanged: total, rejected: 1, errors: [repeated] });
    expect((await tableCounts(ctx)).files).toBe(before.files + total);
    const strict = await postCsv(ctx, "/v1/files/import", officer, body, { "content-encoding": "gzip" });
    expect(strict.status).toBe(422);
    expect(((await strict.json()) as Problem).errors).toMatchObject([repeated]);
  });
});
