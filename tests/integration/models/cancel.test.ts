import { eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { QUEUE } from "../../../jobs/queues.js";
import { trainJobId } from "../../../jobs/training.js";
import { auditEvents, outcomes } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { jobEnded, waitForJobEvent } from "../../helpers/job-events.js";
import { getModelBody, waitForModel } from "../../helpers/training.js";
import { loadDemo } from "./model-fixtures.js";

/** Enough epochs of tiny batches that a training is still running when the test cancels it. */
const SLOW_PARAMS = { hiddenUnits: 16, layers: 1, batchSize: 8, maxEpochs: 1000, patience: 1000 };

/**
 * Each test has its own database, queue prefix and (unless it says otherwise) worker, so that it
 * stands alone in any order: one needs no feature schema, another no worker, others the demo data.
 */
async function setup({ demo = false, worker = true } = {}) {
  const ctx: TestContext = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
  const workers = worker
    ? await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") })
    : undefined;
  onTestFinished(async () => {
    await workers?.close();
    await ctx.close();
  });
  if (demo) await loadDemo(ctx.test.database.db, { files: 3000 });
  const officer = await ctx.key("data_officer", [], "Cleo Canceller");
  const train = async (json: Record<string, unknown>) => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  return { ctx, officer, train };
}

describe("POST /v1/models/:id/cancel and training failures", () => {
  it("fails with the reason when no feature schema exists", async () => {
    const { ctx, officer, train } = await setup();
    const id = await train({});
    const model = await waitForModel(ctx, officer, id);
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/no feature schema/);
    const events = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.target, id));
    expect(events.map((e) => e.action)).toEqual(["model.train", "model.failed"]);
  });

  it("fails with the reason when the labels hold a single outcome", async () => {
    const { ctx, officer, train } = await setup({ demo: true });
    await ctx.test.database.db.delete(outcomes).where(eq(outcomes.outcome, 1));
    const model = await waitForModel(ctx, officer, await train({ split: "random" }));
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/positive/);
  });

  it("fails with the reason when nothing was controlled before the cutoff", async () => {
    const { ctx, officer, train } = await setup({ demo: true });
    const model = await waitForModel(ctx, officer, await train({ cutoff: "2000-01-01" }));
    expect(model.status).toBe("failed");
    expect(model.error).toMatch(/no file has a control before the cutoff 2000-01-01/);
  });

  it("stops a running training: status failed with reason cancelled, progress frozen, idempotent", async () => {
    const { ctx, officer, train } = await setup({ demo: true });
    const id = await train({ split: "random", params: SLOW_PARAMS });
    // The job's progress events come after the row is written: at epoch 2 the API shows it training.
    await waitForJobEvent(ctx, QUEUE.training, (e) => e.jobId === trainJobId(id) && e.event === "progress" && Number((e.data as { epoch?: number }).epoch) >= 2);
    const running = await getModelBody(ctx, officer, id);
    expect(running.status).toBe("training");
    expect(running.progress?.epoch).toBeGreaterThanOrEqual(2);

    const res = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(res.status).toBe(200);
    const again = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(again.status).toBe(200);

    // The processor noticed the cancel and returned: its job completed with cancelled (not a
    // retry, not a failure), within 30 s of a training that would otherwise run 1,000 epochs.
    const published: unknown[] = [];
    const ended = await jobEnded(ctx, QUEUE.training, trainJobId(id), {
      timeoutMs: 30_000,
      seen: (e) => e.jobId === trainJobId(id) && e.event === "progress" && published.push(e.data),
    });
    expect(ended).toMatchObject({ event: "completed", returnvalue: { modelId: id, cancelled: true } });
    const stopped = await getModelBody(ctx, officer, id);
    expect(stopped.status).toBe("failed");
    expect(stopped.error).toBe("cancelled");
    expect(stopped.artifactSha256).toBeNull();
    // Progress frozen where the training stopped: the row keeps the last progress the job
    // published, mid-training. No waiting window is needed for "nothing moves it later": the
    // completed event proves the processor returned (it writes progress only while it runs), and
    // a progress write is refused in SQL once the row is no longer training.
    expect(stopped.progress).toEqual(published.at(-1));
    expect(stopped.progress?.phase).toBe("training");
  });

  it("drops a queued training that no worker has taken yet", async () => {
    const { ctx, officer, train } = await setup({ worker: false });
    const id = await train({});
    const res = await ctx.request("POST", `/v1/models/${id}/cancel`, { key: officer });
    expect(res.status).toBe(200);
    expect(await ctx.queues.training.getJob(`train-${id}`)).toBeUndefined();
    const model = await getModelBody(ctx, officer, id);
    expect(model.status).toBe("failed");
    expect(model.error).toBe("cancelled");
  });
});
