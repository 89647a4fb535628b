import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoRow, demoPopulation } from "../../../data/demo/generate.js";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

/**
 * A chunk's files travel as packed UTF-8 texts, decoded as latin1 when the chunk is ASCII, and its
 * COPY lines are written into a buffer sized in advance: ids that COPY must escape and text that is
 * not ASCII must come out byte for byte, on both drivers, or the digests would not verify.
 */
const ODD_IDS = ["Zé-1", "Z\ttab\\slash-2", "Z-çà-3"];

describe.each(["postgres", "pglite"] as const)("scoring files whose text is not plain ASCII (%s)", (driver) => {
  let ctx: TestContext;
  let workers: RunningWorkers;

  beforeAll(async () => {
    ctx = await createTestContext(driver, { SCORING_CHUNK_SIZE: "4", LOG_LEVEL: "error" });
    await insertDemoFiles(ctx.test.database, { files: 3, seed: 5 });
    const { file: template } = demoPopulation({ files: 1, seed: 5 }).next().value as DemoRow;
    const database = ctx.test.database;
    for (const id of ODD_IDS) {
      const attributes = JSON.stringify({ ...template.attributes, sector: `bâtiment ${id}`, region: "Île-de-France" });
      if (database.driver === "postgres") await database.sql`insert into files (id, unit, attributes) values (${id}, ${template.unit}, ${attributes}::jsonb)`;
      else await database.pglite.query("insert into files (id, unit, attributes) values ($1, $2, $3::jsonb)", [id, template.unit, attributes]);
    }
    await insertTrainedModel(database.db, { status: "active" });
    workers = await startWorkers({ database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
  });

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  it("scores each file once under its own id, and the run's digests verify", async () => {
    const officer = await ctx.key("data_officer");
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { scope: { all: true } })).id);
    expect(run).toMatchObject({ status: "completed", totalFiles: 3 + ODD_IDS.length });
    const auditor = await ctx.key("auditor");
    const verify = await ctx.request("GET", `/v1/audit/verify?run=${run.id}`, { key: auditor });
    expect(await verify.json()).toMatchObject({ ok: true, rootOk: true, mismatchedChunks: [] });
    const query = `select file_id as "fileId", jsonb_array_length(reasons)::int as reasons from scores where run_id = $1 and file_id like 'Z%' order by file_id`;
    const database = ctx.test.database;
    const scored =
      database.driver === "postgres" ? await database.sql.unsafe(query, [run.id]) : (await database.pglite.query(query, [run.id])).rows;
    expect(scored).toEqual([...ODD_IDS].sort().map((fileId) => ({ fileId, reasons: 5 })));
  });
});
