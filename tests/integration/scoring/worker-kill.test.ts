import { type ChildProcess, spawn } from "node:child_process";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { QUEUE } from "../../../jobs/queues.js";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { waitForJobEvent } from "../../helpers/job-events.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

const FILES = 20_000;
/** Short lock and stall check, so a killed worker's chunk is taken over in seconds, not minutes. */
const STALL = { SCORING_LOCK_MS: "2000", SCORING_STALLED_INTERVAL_MS: "1000" };
const ROOT = new URL("../../../", import.meta.url).pathname;

let ctx: TestContext;
let child: ChildProcess | null = null;
let workers: RunningWorkers | null = null;

beforeAll(async () => {
  ctx = await createTestContext("postgres", { SCORING_CHUNK_SIZE: "10000", ...STALL });
  await insertDemoFiles(ctx.test.database, { files: FILES });
  await insertTrainedModel(ctx.test.database.db, { status: "active", params: { hiddenUnits: 64, layers: 2 } });
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await workers?.close();
  await ctx?.close();
});

describe("score-chunk under a worker killed mid-chunk", () => {
  it("completes the run with every file scored exactly once", async () => {
    // A worker process started like production; the slow cpu backend keeps each chunk running long enough to kill.
    child = spawn(process.execPath, ["--import", "tsx", "services/main.ts", "--role", "worker"], {
      cwd: ROOT,
      stdio: "ignore",
      env: {
        ...process.env,
        ...STALL,
        DATABASE_URL: ctx.test.url!,
        REDIS_URL: inject("redisUrl"),
        QUEUE_PREFIX: ctx.config.QUEUE_PREFIX,
        TFJS_BACKEND: "cpu",
        WORKER_CONCURRENCY: "1",
        LOG_LEVEL: "silent",
      },
    });
    const exited = new Promise((r) => child!.once("exit", r));
    const officer = await ctx.key("data_officer");
    // The flow waits in Redis until the process is up; its first chunk's active event is the kill's cue.
    const run = await startRun(ctx, officer, { scope: { all: true } });
    expect(run.totalChunks).toBe(2);
    const { jobId } = await waitForJobEvent(ctx, QUEUE.scoring, (e) => e.event === "active" && /-chunk-\d+$/.test(e.jobId), { timeoutMs: 60_000 });
    const active = (await ctx.queues.scoring.getJob(jobId)) as Job<{ chunkNo: number }>;
    child.kill("SIGKILL");
    await exited;
    const sql = ctx.test.database.driver === "postgres" ? ctx.test.database.sql : null;
    const [killed] = await sql!`select digest from scoring_chunks where run_id = ${run.id} and chunk_no = ${active.data.chunkNo}`;
    // The kill landed mid-chunk: its rows were never committed.
    expect(killed.digest).toBeNull();

    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    const done = await waitForRun(ctx, officer, run.id);
    expect(done.status).toBe("completed");
    const [counts] = await sql!`select count(*)::int as n, count(distinct file_id)::int as d from scores where run_id = ${run.id}`;
    expect(counts).toEqual({ n: FILES, d: FILES });
    const job = await ctx.queues.scoring.getJob(active.id!);
    // Taken over after the stall: BullMQ started it more than once.
    expect(job?.attemptsStarted ?? 0).toBeGreaterThanOrEqual(2);
    const auditor = await ctx.key("auditor");
    const verify = await ctx.request("GET", `/v1/audit/verify?run=${run.id}`, { key: auditor });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);
  });
});
