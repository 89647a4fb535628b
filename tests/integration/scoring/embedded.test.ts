import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

const FILES = 600;
let ctx: TestContext;
let workers: RunningWorkers;

beforeAll(async () => {
  ctx = await createTestContext("pglite", { SCORING_CHUNK_SIZE: "200" });
  await insertDemoFiles(ctx.test.database, { files: FILES });
  await insertTrainedModel(ctx.test.database.db, { status: "active" });
  workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
});

afterAll(async () => {
  await workers?.close();
  await ctx?.close();
});

describe("scoring runs on embedded PGlite", () => {
  it("score a small population end to end, and the digests verify", async () => {
    const officer = await ctx.key("data_officer");
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { scope: { all: true } })).id);
    expect(run).toMatchObject({ status: "completed", totalFiles: FILES, totalChunks: 3 });
    if (ctx.test.database.driver !== "pglite") throw new Error("pglite expected");
    const { rows } = await ctx.test.database.pglite.query<{ n: number; d: number }>(
      "select count(*)::int as n, count(distinct file_id)::int as d from scores where run_id = $1",
      [run.id],
    );
    expect(rows[0]).toEqual({ n: FILES, d: FILES });
    const auditor = await ctx.key("auditor");
    const verify = await ctx.request("GET", `/v1/audit/verify?run=${run.id}`, { key: auditor });
    expect(await verify.json()).toMatchObject({ ok: true, rootOk: true, mismatchedChunks: [] });
    const history = await ctx.request("GET", "/v1/audit/files/F0000042/scores", { key: auditor });
    expect(((await history.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
