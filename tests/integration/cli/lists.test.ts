import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

describe("cts lists create|show|export", () => {
  let ctx: TestContext;
  let cli: CliTarget;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 30 } });
    key = await ctx.key("inspector", ["north"]);
    cli = await serveForCli(ctx);
  });
  afterAll(async () => {
    await cli.close();
    await ctx.close();
  });

  const cts = (...args: string[]) => cli.cts(key, ...args);

  it("creates a list through the API, shows it and exports it as CSV", async () => {
    const created = JSON.parse((await cts("lists", "create", "--unit", "north", "--capacity", "7", "--seed", "3", "--filter", "region=coast,hills")).stdout);
    expect(created.items).toHaveLength(7);
    const shown = JSON.parse((await cts("lists", "show", created.id)).stdout);
    expect(shown.items).toEqual(created.items);
    const mine = JSON.parse((await cts("lists", "show")).stdout);
    expect(mine.items.map((l: { id: string }) => l.id)).toEqual([created.id]);
    const csv = parse((await cts("lists", "export", created.id)).stdout, { columns: true }) as { file_id: string }[];
    expect(csv.map((r) => r.file_id)).toEqual(created.items.map((i: { fileId: string }) => i.fileId));
  });

  it("prints the problem and exits 1 on a bad request", async () => {
    await expect(cts("lists", "create", "--unit", "north", "--capacity", "0")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("capacity"),
    });
  });
});
