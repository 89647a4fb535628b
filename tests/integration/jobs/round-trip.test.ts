import { randomUUID } from "node:crypto";
import { threadId } from "node:worker_threads";
import { QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../../jobs/connection.js";
import { enqueueProbeBackend, ProbeBackendResult } from "../../../jobs/diagnostics.js";
import { createQueues } from "../../../jobs/queues.js";
import { parseConfig } from "../../../services/config.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createPgliteTestDatabase } from "../../helpers/database.js";

describe("probe-backend job through real BullMQ and Redis", () => {
  const prefix = `test-${randomUUID()}`;
  const config = parseConfig({ LOG_LEVEL: "silent", QUEUE_PREFIX: prefix, TFJS_BACKEND: "wasm" });
  const redis = createRedis(inject("redisUrl"));
  const queues = createQueues(redis, prefix);
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let events: QueueEvents;
  let test: Awaited<ReturnType<typeof createPgliteTestDatabase>>;

  beforeAll(async () => {
    test = await createPgliteTestDatabase();
    workers = await startWorkers({ database: test.database, connection: redis, config, logger: createLogger("silent") });
    events = new QueueEvents(queues.diagnostics.name, { connection: redis.duplicate(), prefix });
    await events.waitUntilReady();
  });

  afterAll(async () => {
    await workers.close();
    await events.close();
    await queues.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await test.drop();
  });

  it("is produced, processed in a CPU-pool thread, and completes with the thread's answer", async () => {
    const job = await enqueueProbeBackend(queues.diagnostics, { size: 32 });
    const result = ProbeBackendResult.parse(await job.waitUntilFinished(events, 60_000));
    expect(result.backend).toBe("wasm");
    // ones(32x32) @ ones(32x32) has 32*32 entries of 32.
    expect(result.checksum).toBe(32 ** 3);
    expect(result.threadId).not.toBe(threadId);
    expect(await queues.diagnostics.getJobState(job.id!)).toBe("completed");
  });

  it("fails a job with an invalid payload without retrying it", async () => {
    const job = await queues.diagnostics.add("probe-backend", { size: "big" }, { attempts: 3 });
    await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow(/invalid probe-backend payload/);
    const failed = await queues.diagnostics.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
  });
});
