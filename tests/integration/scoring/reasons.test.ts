import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoRow, demoPopulation } from "../../../data/demo/generate.js";
import { mulberry32 } from "../../../models/index.js";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

let ctx: TestContext;

/**
 * Replaces bank_accounts by a draw independent of every other attribute (demo attributes are
 * correlated, e.g. amount_at_stake with turnover, so a proxy could honestly share the credit).
 */
const plant = (row: DemoRow): DemoRow => {
  const index = Number(row.file.id.slice(1));
  return { ...row, file: { ...row.file, attributes: { ...row.file.attributes, bank_accounts: 1 + Math.floor(mulberry32(index * 7 + 1)() * 10) } } };
};
let workers: RunningWorkers;

beforeAll(async () => {
  ctx = await createTestContext("postgres", { SCORING_CHUNK_SIZE: "1000" });
  await insertDemoFiles(ctx.test.database, { files: 2000, map: plant });
  workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
});

afterAll(async () => {
  await workers?.close();
  await ctx?.close();
});

describe("score reasons (gradient × (input − baseline), grouped by attribute)", () => {
  it("name the one attribute the outcome depends on as the top reason", async () => {
    // Labels depend on the planted bank_accounts only (8 or more → irregular), with 3 % label noise.
    const rows = [...demoPopulation({ files: 6000, seed: 5 })].map((r) => plant(r).file.attributes);
    const rand = mulberry32(3);
    const y = Uint8Array.from(rows.map((r) => ((Number(r.bank_accounts) >= 8) !== rand() < 0.03 ? 1 : 0)));
    const model = await insertTrainedModel(ctx.test.database.db, { status: "trained", rows, y, params: { maxEpochs: 15 } });

    const officer = await ctx.key("data_officer");
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId: model.id, scope: { all: true } })).id);
    expect(run.status).toBe("completed");
    const sql = ctx.test.database.driver === "postgres" ? ctx.test.database.sql : null;
    const top = await sql!`select reasons->0->>0 as attribute from scores where run_id = ${run.id} order by score desc limit 100`;
    expect(top.every((r) => r.attribute === "bank_accounts")).toBe(true);
    const [share] = await sql!`select avg((reasons->0->>0 = 'bank_accounts')::int)::float as share from scores where run_id = ${run.id}`;
    expect(share.share).toBeGreaterThan(0.8);
  });
});
