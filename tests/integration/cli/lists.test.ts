import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { type ServerType, serve } from "@hono/node-server";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

const run = promisify(execFile);
// The sources via tsx, not bin/cts.js: that prefers dist/, which may be an older build.
const CLI = resolve(import.meta.dirname, "../../../services/cli/index.ts");

describe("cts lists create|show|export", () => {
  let ctx: TestContext;
  let server: ServerType;
  let url: string;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 30 } });
    key = await ctx.key("inspector", ["north"]);
    server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await ctx.close();
  });

  const cts = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, CTS_URL: url, CTS_API_KEY: key, LOG_LEVEL: "silent" } });

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
