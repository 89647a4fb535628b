import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { appendAuditEvent } from "../../../services/db/queries/audit-events.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/** The rules every door applies to what clients send (issue: bad input gets a clear 4xx). */
describe("input rules", () => {
  let ctx: TestContext;
  let admin: string;
  let inspector: string;
  let auditor: string;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 40 } });
    admin = await ctx.key("admin");
    inspector = await ctx.key("inspector", ["north"]);
    auditor = await ctx.key("auditor");
    officer = await ctx.key("data_officer");
  });
  afterAll(() => ctx.close());

  it("a NUL in a JSON string is a 422 naming the field", async () => {
    const problem = await expectProblem(await ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "auditor", name: "a\u0000b" } }), 422);
    expect(problem.errors).toEqual([{ path: "name", message: "contains a NUL character" }]);
    const nested = await expectProblem(
      await ctx.request("POST", "/v1/files", { key: officer, json: { files: [{ id: "x", unit: "north", attributes: { region: "\u0000" } }] } }),
      422,
    );
    expect(nested.errors?.[0].path).toBe("files.0.attributes.region");
  });

  it("a deeply nested JSON body is refused before it is parsed (400), and malformed JSON is a 400", async () => {
    const deep = `${"[".repeat(2_000_000)}${"]".repeat(2_000_000)}`;
    const problem = await expectProblem(
      await ctx.request("POST", "/v1/files", { key: officer, body: deep, headers: { "content-type": "application/json" } }),
      400,
    );
    expect(problem.detail).toMatch(/nested deeper than 64/);
    await expectProblem(await ctx.request("POST", "/v1/files", { key: officer, body: '{"files": [', headers: { "content-type": "application/json" } }), 400);
  });

  it("a files CSV with an endless unquoted line is a 422 naming the line, and nothing is written", async () => {
    const body = `id,unit,region,amount\nF1,north,coast,1\nF2,north,${"x".repeat(20_000_000)}\n`;
    const res = await ctx.request("POST", "/v1/files/import", { key: officer, body, headers: { "content-type": "text/csv" } });
    const problem = await expectProblem(res, 422);
    expect(problem.errors?.[0]).toMatchObject({ line: 3, message: expect.stringMatching(/longer than 1000000 characters/) });
    const files = (await (await ctx.request("GET", "/v1/files?unit=north&limit=100", { key: officer })).json()) as { items: { id: string }[] };
    expect(files.items.map((f) => f.id)).not.toContain("F1");
  });

  it("a training cutoff that is not a calendar date (2026-02-30) is a 422 naming it, and no model is made", async () => {
    const count = async () => ((await (await ctx.request("GET", "/v1/models", { key: officer })).json()) as { items: unknown[] }).items.length;
    const before = await count();
    const problem = await expectProblem(await ctx.request("POST", "/v1/models", { key: officer, json: { cutoff: "2026-02-30" } }), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(["cutoff"]);
    expect(await count()).toBe(before);
  });

  it("the audit action filter matches % and _ literally", async () => {
    const { db } = ctx.test.database;
    await appendAuditEvent(db, { actor: SYSTEM_ACTOR, action: "a_b.one" });
    await appendAuditEvent(db, { actor: SYSTEM_ACTOR, action: "axb.two" });
    await appendAuditEvent(db, { actor: SYSTEM_ACTOR, action: "a%b.three" });
    const actions = async (filter: string) =>
      ((await (await ctx.request("GET", `/v1/audit/events?action=${encodeURIComponent(filter)}`, { key: auditor })).json()) as {
        items: { action: string }[];
      }).items.map((e) => e.action);
    expect(await actions("a_b*")).toEqual(["a_b.one"]);
    expect(await actions("a%*")).toEqual(["a%b.three"]);
  });

  it("refuses whitespace-only key names and keys for units no file belongs to", async () => {
    const blank = await expectProblem(await ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "auditor", name: "   " } }), 422);
    expect(blank.errors?.[0].path).toBe("name");
    const unknown = await expectProblem(
      await ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "inspector", name: "Ines", units: ["north", "nrth"] } }),
      422,
    );
    expect(unknown.errors).toEqual([{ path: "units.1", message: 'unknown unit "nrth"' }]);
    const ok = await ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "inspector", name: "Ines", units: ["north"] } });
    expect(ok.status).toBe(201);
  });

  it("a list item's outcome follows the bulk import's rules for dates and amounts", async () => {
    const list = (await (await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity: 3 } })).json()) as {
      id: string;
      items: { fileId: string }[];
    };
    const path = `/v1/control-lists/${list.id}/items/${list.items[0].fileId}/outcome`;
    const old = await expectProblem(await ctx.request("POST", path, { key: inspector, json: { outcome: 1, controlledAt: "1900-01-01" } }), 422);
    expect(old.errors?.[0]).toMatchObject({ path: "controlledAt", message: "1900-01-01 is before 1970-01-01" });
    const negative = await expectProblem(await ctx.request("POST", path, { key: inspector, json: { outcome: 1, amount: -1e308 } }), 422);
    expect(negative.errors?.[0]).toMatchObject({ path: "amount", message: "amount must be a finite number >= 0" });
    // The bulk JSON import says the same of the same values.
    const bulk = await expectProblem(
      await ctx.request("POST", "/v1/outcomes", {
        key: officer,
        json: { outcomes: [{ fileId: list.items[1].fileId, controlledAt: "1900-01-01", outcome: 1, amount: -1e308 }] },
      }),
      422,
    );
    expect(bulk.errors?.map((e) => e.message)).toEqual(["1900-01-01 is before 1970-01-01", "amount must be a finite number >= 0"]);
    expect((await ctx.request("POST", path, { key: inspector, json: { outcome: 1, amount: 10, controlledAt: "2024-05-01" } })).status).toBe(201);
  });
});
