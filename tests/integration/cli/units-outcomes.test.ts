import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

describe("GET /v1/units, cts units list and cts outcomes record", () => {
  let ctx: TestContext;
  let cli: CliTarget;
  let inspector: string;
  let officer: string;
  let runId: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    ({ runId } = await buildScoredPopulation(ctx.test.database.db, { units: { north: 30, south: 12 } }));
    inspector = await ctx.key("inspector", ["north"]);
    officer = await ctx.key("data_officer");
    cli = await serveForCli(ctx);
  });
  afterAll(async () => {
    await cli.close();
    await ctx.close();
  });

  it("lists every unit for an officer and only their own for an inspector, with files, open lists and last run", async () => {
    await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity: 3 } });
    const all = (await (await ctx.request("GET", "/v1/units", { key: officer })).json()) as { items: { unit: string; files: number; openLists: number; lastRun: { id: string } | null }[] };
    expect(all.items.map((u) => [u.unit, u.files, u.openLists, u.lastRun?.id])).toEqual([
      ["north", 30, 1, runId],
      ["south", 12, 0, runId],
    ]);
    const mine = JSON.parse((await cli.cts(inspector, "units", "list")).stdout) as { items: { unit: string }[] };
    expect(mine.items.map((u) => u.unit)).toEqual(["north"]);
  });

  it("records an outcome on a list item, checked like the API, and refuses a bad one with exit 1", async () => {
    const list = (await (await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity: 2 } })).json()) as {
      id: string;
      items: { fileId: string }[];
    };
    const [first, second] = list.items;
    const done = JSON.parse((await cli.cts(inspector, "outcomes", "record", list.id, first.fileId, "--outcome", "1", "--amount", "250", "--notes", "undeclared")).stdout);
    expect(done).toMatchObject({ item: { fileId: first.fileId, status: "done" }, listClosed: false });
    await expect(cli.cts(inspector, "outcomes", "record", list.id, second.fileId, "--outcome", "1", "--date", "1900-01-01")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("1900-01-01 is before 1970-01-01"),
    });
    await expect(cli.cts(inspector, "outcomes", "record", list.id, second.fileId, "--outcome", "2")).rejects.toMatchObject({ code: 1 });
  });
});
