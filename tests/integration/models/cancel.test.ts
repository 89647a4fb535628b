import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outcomes } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { finished, loadDemo, pollModel } from "./model-fixtures.js";

/** Enough epochs of tiny batches that a training is still running when the test cancels it. */
const SLOW_PARAMS = { hiddenUnits: 16, layers: 1, batchSize: 8, maxEpochs: 1000, patience: 1000 };

describe("POST /v1/models/:id/cancel and training failures", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
    officer = await ctx.key("data_officer", [], "Cleo Canceller");
  });

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  const train = async (json: Record<string, unknown>) => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const start = async () => {
    workers ??= await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
  };

  it("fails with the reason when no feature schema exists", async () => {
    await start();
    const id = await train({});
    const model = await pollModel(ctx, officer, id, finished);
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/no feature schema/);
    const events = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.target, id));
    expect(events.map((e) => e.action)).toEqual(["model.train", "model.failed"]);
  });

  it("fails with the reason when the labels hold a single outcome", async () => {
    await loadDemo(ctx.test.database.db, { files: 3000 });
    await ctx.test.database.db.delete(outcomes).where(eq(outcomes.outcome, 1));
    const model = await pollModel(ctx, officer, await train({ split: "random" }), finished);
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/positive/);
  });

  it("fails with the reason when nothing was controlled before the cutoff", async () => {
    const model = await pollModel(ctx, officer, await train({ cutoff: "2000-01-01" }), finished);
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/no file has a control before the cutoff 2000-01-01/);
  });

  it("stops a running training: status failed with reason cancelled, progress frozen, idempotent", async () => {
    await ctx.test.database.db.delete(outcomes);
    await loadDemo(ctx.test.database.db, { files: 3000, outcomesOnly: true });
    const id = await train({ split: "random", params: SLOW_PARAMS });
    const running = await pollModel(ctx, officer, id, (m) => typeof m.progress?.epoch === "number" && (m.progress.epoch as number) >= 2);
    expect(running.status).toBe("training");

    const res = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(res.status).toBe(200);
    const again = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(again.status).toBe(200);

    const job = await ctx.queues.training.getJob(`train-${id}`);
    const until = Date.now() + 30_000;
    while (!(await job!.isCompleted()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await job!.isCompleted()).toBe(true);
    const stopped = await pollModel(ctx, officer, id, () => true);
    expect(stopped.status).toBe("failed");
    expect(stopped.error).toBe("cancelled");
    expect(stopped.artifactSha256).toBeNull();
    await new Promise((r) => setTimeout(r, 700));
    expect((await pollModel(ctx, officer, id, () => true)).progress).toEqual(stopped.progress);
  });

  it("drops a queued training that no worker has taken yet", async () => {
    await workers?.close();
    workers = undefined;
    const id = await train({});
    const res = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(res.status).toBe(200);
    expect(await ctx.queues.training.getJob(`train-${id}`)).toBeUndefined();
    const model = await pollModel(ctx, officer, id, () => true);
    expect(model.status).toBe("failed");
    expect(model.error).toBe("cancelled");
  });
});
