import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { waitForRun } from "../../helpers/scoring.js";
import { waitForModel } from "../../helpers/training.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

/** The request ids of the events of `action` on `target`. */
async function requestIdsOf(ctx: TestContext, action: string, target: string) {
  const rows = await ctx.test.database.db
    .select({ requestId: auditEvents.requestId })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.target, target)));
  return rows.map((r) => r.requestId);
}

describe("the events a request causes later, in a job, quote its request id", () => {
  let ctx: TestContext;
  let workers: RunningWorkers;
  let officer: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres", { SCORING_CHUNK_SIZE: "200" });
    await insertDemoFiles(ctx.test.database, { files: 400 });
    await insertTrainedModel(ctx.test.database.db, { status: "active" });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer");
  });
  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  it("a scoring run: scoring_run.create and, from the worker, scoring_run.complete", async () => {
    const res = await ctx.request("POST", "/v1/scoring-runs", { key: officer, json: { scope: { all: true } }, headers: { "x-request-id": "run-req-1" } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await waitForRun(ctx, officer, id)).status).toBe("completed");
    expect(await requestIdsOf(ctx, "scoring_run.create", id)).toEqual(["run-req-1"]);
    expect(await requestIdsOf(ctx, "scoring_run.complete", id)).toEqual(["run-req-1"]);
  });

  it("a training: model.train and, from the worker, its outcome (here model.failed: no labelled files)", async () => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { name: "no labels" }, headers: { "x-request-id": "train-req-1" } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await waitForModel(ctx, officer, id)).status).toBe("failed");
    expect(await requestIdsOf(ctx, "model.train", id)).toEqual(["train-req-1"]);
    expect(await requestIdsOf(ctx, "model.failed", id)).toEqual(["train-req-1"]);
  });
});
