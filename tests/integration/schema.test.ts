import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoSchema } from "../../data/demo/schema.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DRIVERS } from "../helpers/database.js";
import { fixtureFilesCsv, headLines, postCsv, type Problem, tableCounts } from "../helpers/ingest.js";

describe.each(DRIVERS)("schema API on %s", (driver) => {
  let ctx: TestContext;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext(driver);
    officer = await ctx.key("data_officer");
  });
  afterAll(() => ctx.close());

  it("POST /v1/schema/infer refuses a sample with an unclosed quote or invalid UTF-8 (422 naming the line)", async () => {
    const unclosed = await postCsv(ctx, "/v1/schema/infer", officer, 'id,unit,amount\n1,north,3\n2,"south,4\n');
    expect(unclosed.status).toBe(422);
    const body = (await unclosed.json()) as Problem;
    expect(body.errors?.[0]).toMatchObject({ line: 3, message: expect.stringMatching(/unclosed quote/) });
    const latin1 = await postCsv(ctx, "/v1/schema/infer", officer, Buffer.from("id,unit,city\n1,north,K\xf6ln\n", "latin1"));
    expect(latin1.status).toBe(422);
    expect(((await latin1.json()) as Problem).errors?.[0]).toMatchObject({ line: 2, message: expect.stringMatching(/UTF-8/) });
  });

  it("GET /v1/schema?version= past an int4 is a 422 naming the field, not a 500", async () => {
    const res = await ctx.request("GET", "/v1/schema?version=99999999999", { key: officer });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.[0]?.path).toBe("version");
  });

  it("GET /v1/schema answers 404 before the first PUT", async () => {
    expect((await ctx.request("GET", "/v1/schema", { key: officer })).status).toBe(404);
  });

  it("PUT /v1/schema stores version 1, a repeat changes nothing, a change makes version 2", async () => {
    const schema = demoSchema();
    const first = await ctx.request("PUT", "/v1/schema", { key: officer, json: schema });
    expect(await first.json()).toMatchObject({ version: 1, created: true, definition: schema });
    const before = await tableCounts(ctx);
    const again = await ctx.request("PUT", "/v1/schema", { key: officer, json: schema });
    expect(await again.json()).toMatchObject({ version: 1, created: false });
    expect(await tableCounts(ctx)).toEqual(before);
    const changed = { ...schema, attributes: schema.attributes.map((a) => (a.name === "employees" ? { ...a, role: "ignore" as const } : a)) };
    const second = await ctx.request("PUT", "/v1/schema", { key: officer, json: changed });
    expect(await second.json()).toMatchObject({ version: 2, created: true });
    const current = (await (await ctx.request("GET", "/v1/schema", { key: await ctx.key("inspector", ["north"]) })).json()) as {
      version: number;
    };
    expect(current.version).toBe(2);
    const old = (await (await ctx.request("GET", "/v1/schema?version=1", { key: await ctx.key("auditor") })).json()) as {
      definition: unknown;
    };
    expect(old.definition).toEqual(schema);
    const events = await ctx.request("GET", "/v1/audit/events?action=schema.put", { key: await ctx.key("auditor") });
    expect(((await events.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  it("PUT /v1/schema refuses an invalid definition with paths, and non data officers", async () => {
    const auditor = await ctx.key("auditor");
    const before = await tableCounts(ctx);
    const res = await ctx.request("PUT", "/v1/schema", {
      key: officer,
      json: { attributes: [{ name: "id", type: "numeric" }, { name: "x", type: "text" }], amountAttribute: "nope" },
    });
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as Problem).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["attributes.1.type"]));
    expect((await ctx.request("PUT", "/v1/schema", { key: auditor, json: demoSchema() })).status).toBe(403);
    expect(await tableCounts(ctx)).toEqual(before);
  });

  it("POST /v1/schema/infer proposes the demo schema's types from a sample", async () => {
    const res = await postCsv(ctx, "/v1/schema/infer", officer, headLines(fixtureFilesCsv(), 300));
    expect(res.status).toBe(200);
    const proposal = (await res.json()) as { schema: ReturnType<typeof demoSchema>; sampleRows: number };
    expect(proposal.sampleRows).toBe(300);
    const types = Object.fromEntries(proposal.schema.attributes.map((a) => [a.name, a.type]));
    expect(types).toEqual(Object.fromEntries(demoSchema().attributes.map((a) => [a.name, a.type])));
    // Two headers that would get one name: a 422 naming both.
    const clash = await postCsv(ctx, "/v1/schema/infer", officer, "id,unit,Monthly Income,monthly_income\n1,north,3,4\n");
    expect(clash.status).toBe(422);
    expect(((await clash.json()) as Problem).errors?.[0]?.message).toMatch(/"Monthly Income" and "monthly_income" would both be named "monthly_income"/);
  });

  it("takes an export's headers as they come: infer maps them, the schema keeps them, the same file imports and re-imports unchanged", async () => {
    const csv = [
      "ID,Unit,Age,BusinessTravel,MonthlyIncome,Date of birth,Région",
      "E1,north,41,Travel_Rarely,5993,1984-02-01,Île-de-France",
      "E2,north,49,Travel_Frequently,5130,1976-05-12,Bretagne",
      "E3,south,37,Non-Travel,2090,1988-11-30,Bretagne",
    ].join("\n");
    const res = await postCsv(ctx, "/v1/schema/infer", officer, `${csv}\n`);
    expect(res.status).toBe(200);
    const proposal = (await res.json()) as { schema: ReturnType<typeof demoSchema>; columns: { name: string; header: string }[] };
    expect(proposal.columns.map((c) => [c.header, c.name])).toEqual([
      ["Age", "age"],
      ["BusinessTravel", "business_travel"],
      ["MonthlyIncome", "monthly_income"],
      ["Date of birth", "date_of_birth"],
      ["Région", "region"],
    ]);
    expect(proposal.schema.attributes.find((a) => a.name === "monthly_income")).toMatchObject({ header: "MonthlyIncome", type: "numeric" });
    expect((await ctx.request("PUT", "/v1/schema", { key: officer, json: proposal.schema })).status).toBe(200);
    const first = await postCsv(ctx, "/v1/files/import", officer, `${csv}\n`);
    expect(await first.json()).toMatchObject({ rows: 3, inserted: 3 });
    const file = (await (await ctx.request("GET", "/v1/files/E1", { key: officer })).json()) as { attributes: Record<string, unknown> };
    expect(file.attributes).toMatchObject({ age: 41, business_travel: "Travel_Rarely", monthly_income: 5993, date_of_birth: "1984-02-01", region: "Île-de-France" });
    // Next month's export, unchanged: the same headers load again.
    const again = await postCsv(ctx, "/v1/files/import", officer, `${csv}\n`);
    expect(await again.json()).toMatchObject({ rows: 3, inserted: 0, unchanged: 3 });
  });
});
