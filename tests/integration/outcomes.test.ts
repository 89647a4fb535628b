import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DRIVERS } from "../helpers/database.js";
import { fixtureFilesCsv, fixtureOutcomesCsv, postCsv, type Problem, putDemoSchema, tableCounts } from "../helpers/ingest.js";

const OUTCOMES = fixtureOutcomesCsv();
const OUTCOME_ROWS = OUTCOMES.trimEnd().split("\n").length - 1;
const HEADER = "file_id,controlled_at,outcome,amount,selected_by,selection_probability,inspector";

describe.each(DRIVERS)("outcomes API on %s", (driver) => {
  let ctx: TestContext;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext(driver);
    officer = await ctx.key("data_officer");
    await putDemoSchema(ctx, officer);
    const res = await postCsv(ctx, "/v1/files/import", officer, fixtureFilesCsv());
    expect(res.status).toBe(200);
  });
  afterAll(() => ctx.close());

  it("POST /v1/outcomes/import records the fixture's controls and GET /v1/files/:id shows them", async () => {
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, OUTCOMES);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rows: OUTCOME_ROWS, inserted: OUTCOME_ROWS, duplicates: 0, rejected: 0 });
    const [first] = OUTCOMES.split("\n")[1].split(",");
    const file = (await (await ctx.request("GET", `/v1/files/${first}`, { key: officer })).json()) as {
      outcomes: { controlledAt: string; recordedBy: string }[];
    };
    expect(file.outcomes.length).toBeGreaterThan(0);
    expect(file.outcomes[0].controlledAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const events = await ctx.request("GET", "/v1/audit/events?action=outcomes.import", { key: await ctx.key("auditor") });
    const { items } = (await events.json()) as { items: { details: Record<string, unknown> }[] };
    expect(items.at(-1)?.details).toMatchObject({ rows: OUTCOME_ROWS, inserted: OUTCOME_ROWS, mode: "all-or-nothing" });
  });

  it("a re-import of the same controls adds nothing (identical rows are duplicates)", async () => {
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, OUTCOMES);
    expect(await res.json()).toMatchObject({ rows: OUTCOME_ROWS, inserted: 0, duplicates: OUTCOME_ROWS });
    expect((await tableCounts(ctx)).outcomes).toBe(before.outcomes);
  });

  const bad: [string, string, { line: number; column: string; message: RegExp }][] = [
    ["an unknown file id", "NOPE1,2024-03-01,0,,manual,,north-01", { line: 3, column: "file_id", message: /unknown file id/ }],
    ["a future date", "F0000001,2999-01-01,0,,manual,,north-01", { line: 3, column: "controlled_at", message: /future/ }],
    ["a date that is not one", "F0000001,2024-13-01,0,,manual,,north-01", { line: 3, column: "controlled_at", message: /not a date/ }],
    ["an outcome of 2", "F0000001,2024-03-01,2,,manual,,north-01", { line: 3, column: "outcome", message: /0 .* or 1/ }],
    ["a probability of 0", "F0000001,2024-03-01,1,500,exploration,0,north-01", { line: 3, column: "selection_probability", message: /\(0, 1\]/ }],
    ["a probability above 1", "F0000001,2024-03-01,1,500,model,1.5,north-01", { line: 3, column: "selection_probability", message: /\(0, 1\]/ }],
    ["an unknown selected_by", "F0000001,2024-03-01,1,500,lottery,,north-01", { line: 3, column: "selected_by", message: /one of/ }],
    ["a negative amount", "F0000001,2024-03-01,1,-5,manual,,north-01", { line: 3, column: "amount", message: />= 0/ }],
  ];
  it.each(bad)("refuses %s with its line in a 422 problem, and writes nothing", async (_name, line, expected) => {
    const csv = `${HEADER}\nF0000002,2024-03-04,0,,manual,,north-02\n${line}\n`;
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, csv);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors?.[0]).toMatchObject({ line: expected.line, column: expected.column });
    expect(problem.errors?.[0].message).toMatch(expected.message);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  /** `n` distinct controls of one known file, one day apart from 1990-01-01 (all in the past). */
  const manyControls = (n: number, fileId = "F0000001") =>
    Array.from({ length: n }, (_, i) => `${fileId},${new Date(Date.UTC(1990, 0, 1 + i)).toISOString().slice(0, 10)},0,,manual,,north-01`);

  it("refuses a CSV that breaks off after several chunks were staged, writes nothing, and imports again after", async () => {
    const before = await tableCounts(ctx);
    const broken = `${HEADER}\n${manyControls(9_000).join("\n")}\n"F0000001,2024-03-01,0,,manual,,north-01\n`;
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, broken);
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.[0]).toMatchObject({ line: 9_002 });
    expect(await tableCounts(ctx)).toEqual(before);
    const again = await postCsv(ctx, "/v1/outcomes/import", officer, `${HEADER}\n${manyControls(3).join("\n")}\n`);
    expect(await again.json()).toMatchObject({ rows: 3, rejected: 0 });
  });

  it("counts every unknown file but lists the first 100 by line", async () => {
    const before = await tableCounts(ctx);
    const ghosts = Array.from({ length: 150 }, (_, i) => `GHOST${i},2024-03-01,0,,manual,,north-01`);
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, `${HEADER}\n${manyControls(5).join("\n")}\n${ghosts.join("\n")}\n`);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem & { detail: string };
    expect(problem.detail).toMatch(/150 errors/);
    expect(problem.errors?.map((e) => e.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 7));
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("lists unknown files next to bad values when it refuses an import, in line order", async () => {
    const before = await tableCounts(ctx);
    const csv = `${HEADER}\nF0000002,2024-03-04,2,,manual,,north-02\nGHOST1,2024-03-04,0,,manual,,north-02\n${manyControls(2).join("\n")}\nF0000003,2999-01-01,0,,manual,,north-02\n`;
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, csv);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem & { detail: string };
    expect(problem.errors?.map((e) => [e.line, e.column])).toEqual([
      [2, "outcome"],
      [3, "file_id"],
      [6, "controlled_at"],
    ]);
    expect(problem.detail).toMatch(/3 errors/);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("refuses a header without a required column", async () => {
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/outcomes/import", officer, "file_id,outcome\nF0000001,1\n");
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.[0]).toMatchObject({ line: 1, column: "controlled_at" });
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("?mode=skip-invalid writes the good rows and reports unknown files and bad values", async () => {
    const csv = `${HEADER}\nF0000010,2023-05-02,1,250,model,0.3,north-01\nNOPE,2023-05-02,0,,manual,,north-01\nF0000011,2023-05-02,7,,manual,,north-01\n`;
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/outcomes/import?mode=skip-invalid", officer, csv);
    const body = (await res.json()) as { rows: number; inserted: number; rejected: number; errors: Problem["errors"] };
    expect(body).toMatchObject({ rows: 3, inserted: 1, rejected: 2 });
    expect(body.errors?.map((e) => [e.line, e.column])).toEqual([[3, "file_id"], [4, "outcome"]]);
    expect((await tableCounts(ctx)).outcomes).toBe(before.outcomes + 1);
  });

  it("skip-invalid: when the trigger refuses the insert, reports the unknown files by line and writes the rest", async () => {
    // The insert is tried first; the unknown files are looked for only once the trigger refused it.
    const csv = `${HEADER}\nF0000012,2023-05-02,1,250,model,0.3,north-01\nNOPE2,2023-05-02,0,,manual,,north-01\nF0000013,2023-05-02,0,,manual,,north-01\n`;
    const before = await tableCounts(ctx);
    const res = await postCsv(ctx, "/v1/outcomes/import?mode=skip-invalid", officer, csv);
    const body = (await res.json()) as { inserted: number; rejected: number; errors: Problem["errors"] };
    expect(body).toMatchObject({ inserted: 2, rejected: 1 });
    expect(body.errors?.map((e) => [e.line, e.column, e.message])).toEqual([[3, "file_id", 'unknown file id "NOPE2"']]);
    expect((await tableCounts(ctx)).outcomes).toBe(before.outcomes + 2);
  });

  it("POST /v1/outcomes records a JSON batch and refuses unknown files by index", async () => {
    const ok = await ctx.request("POST", "/v1/outcomes", {
      key: officer,
      json: { outcomes: [{ fileId: "F0000020", controlledAt: "2025-01-15", outcome: 1, amount: 1200, selectedBy: "manual", inspector: "x" }] },
    });
    expect(await ok.json()).toMatchObject({ rows: 1, inserted: 1 });
    const before = await tableCounts(ctx);
    const res = await ctx.request("POST", "/v1/outcomes", {
      key: officer,
      json: { outcomes: [{ fileId: "F0000021", controlledAt: "2025-01-15", outcome: 0 }, { fileId: "GHOST", controlledAt: "2025-01-15", outcome: 0 }] },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors).toEqual([expect.objectContaining({ path: "outcomes.1.fileId" })]);
    const zodBad = await ctx.request("POST", "/v1/outcomes", { key: officer, json: { outcomes: [{ fileId: "F0000021", controlledAt: "2025-01-15", outcome: 3 }] } });
    expect(zodBad.status).toBe(422);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("only data officers record outcomes", async () => {
    const inspector = await ctx.key("inspector", ["north"]);
    expect((await postCsv(ctx, "/v1/outcomes/import", inspector, `${HEADER}\n`)).status).toBe(403);
    expect((await ctx.request("POST", "/v1/outcomes", { key: await ctx.key("auditor"), json: { outcomes: [] } })).status).toBe(403);
  });
});
