import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { CLI, type CliTarget, serveForCli } from "../../helpers/cli.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

const run = promisify(execFile);

describe("cts lists create|show|export", () => {
  let ctx: TestContext;
  let cli: CliTarget;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 1500 } });
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

  it("adds a file by hand and skips an item, each with its reason", async () => {
    const created = JSON.parse((await cts("lists", "create", "--unit", "north", "--capacity", "3")).stdout);
    const mine = new Set(created.items.map((i: { fileId: string }) => i.fileId));
    const all = JSON.parse((await cts("lists", "create", "--unit", "north", "--capacity", "5", "--exploration", "0")).stdout);
    const other = all.items.find((i: { fileId: string }) => !mine.has(i.fileId)).fileId as string;
    // A file pending on another open list is refused; once skipped there, it can be added here.
    await expect(cts("lists", "add", created.id, other, "--reason", "reported by the tax desk")).rejects.toMatchObject({ code: 1 });
    const skipped = JSON.parse((await cts("lists", "skip", all.id, other, "--reason", "moved to the fraud team")).stdout);
    expect(skipped.item).toMatchObject({ fileId: other, status: "skipped", note: "moved to the fraud team" });
    const added = JSON.parse((await cts("lists", "add", created.id, other, "--reason", "reported by the tax desk")).stdout);
    expect(added).toMatchObject({ fileId: other, status: "pending", note: "reported by the tax desk" });
  });

  it("prints the problem and exits 1 on a bad request", async () => {
    await expect(cts("lists", "create", "--unit", "north", "--capacity", "0")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("capacity"),
    });
  });

  it("names the URL it cannot reach and what to do, with exit 1", async () => {
    // A port nothing listens on: taken, then closed again.
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    await expect(
      run(process.execPath, ["--import", "tsx", CLI, "lists", "show"], {
        env: { ...process.env, CTS_URL: `http://127.0.0.1:${port}`, CTS_API_KEY: key, LOG_LEVEL: "silent" },
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`cannot reach the service at http://127.0.0.1:${port} \\(ECONNREFUSED\\).*npm start.*CTS_URL`, "s")) });
  });

  it("exits quietly with 0 when its reader closes the pipe early (| head)", async () => {
    const created = JSON.parse((await cts("lists", "create", "--unit", "north", "--capacity", "1000")).stdout) as { id: string };
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "lists", "show", created.id], {
      env: { ...process.env, CTS_URL: cli.url, CTS_API_KEY: key, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    // Like `head -c 100`: take the first bytes, then close the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});
