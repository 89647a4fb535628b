import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { QUEUE } from "../../../jobs/queues.js";
import { finalizeJobId } from "../../../jobs/scoring.js";
import { createLogger } from "../../../services/logger.js";
import { createCpuPool } from "../../../services/worker/cpu-pool.js";
import { scoreChunkProcessor } from "../../../services/worker/processors/score-chunk.js";
import { watchScoringFailures } from "../../../services/worker/scoring-failures.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { jobEnded } from "../../helpers/job-events.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";

const FILES = 1200;
let ctx: TestContext;
let officer: string;
let auditor: string;
let workers: RunningWorkers | null = null;
/** The active model, inserted once for the file: each test that scores starts its own runs. */
let model: Awaited<ReturnType<typeof insertTrainedModel>>;

const sqlOf = () => {
  if (ctx.test.database.driver !== "postgres") throw new Error("postgres only");
  return ctx.test.database.sql;
};
/** Starts the workers unless they run (some tests stop them to hold jobs in Redis). */
const start = async () => {
  workers ??= await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
};
const stop = async () => {
  await workers?.close();
  workers = null;
};

beforeAll(async () => {
  ctx = await createTestContext("postgres", { SCORING_CHUNK_SIZE: "250", WORKER_CONCURRENCY: "2", LOG_LEVEL: "error" });
  officer = await ctx.key("data_officer");
  auditor = await ctx.key("auditor");
  await insertDemoFiles(ctx.test.database, { files: FILES });
  model = await insertTrainedModel(ctx.test.database.db, { status: "active" });
});

/** A run of `scope` with the active model, scored to completion by the workers. */
const completedRun = async (scope: unknown) => {
  await start();
  const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { scope })).id);
  expect(run.status).toBe("completed");
  return run;
};

afterAll(async () => {
  await stop();
  await ctx?.close();
});

describe("POST /v1/scoring-runs", () => {
  it("answers 409 with a problem when no model is active", async () => {
    // Its own database: this file's has an active model.
    const bare = await createTestContext("postgres");
    onTestFinished(() => bare.close());
    const res = await bare.request("POST", "/v1/scoring-runs", { key: await bare.key("data_officer"), json: { scope: { all: true } } });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toMatch(/no model is active/);
  });

  it("answers 422 naming the field for a bad scope, and 403 for an inspector", async () => {
    const bad = await ctx.request("POST", "/v1/scoring-runs", { key: officer, json: { scope: { units: [] } } });
    expect(bad.status).toBe(422);
    const inspector = await ctx.key("inspector", ["north"]);
    const res = await ctx.request("POST", "/v1/scoring-runs", { key: inspector, json: {} });
    expect(res.status).toBe(403);
  });

  it("scores every file once with the active model, digests verify, progress and audit show it", async () => {
    await start();
    const created = await startRun(ctx, officer, { scope: { all: true } });
    expect(created.totalFiles).toBe(FILES);
    const nothing = await ctx.request("POST", "/v1/scoring-runs", { key: officer, json: { scope: { fileIds: ["NOPE"] } } });
    expect(nothing.status).toBe(422);
    expect(((await nothing.json()) as { errors: { path: string }[] }).errors[0].path).toBe("scope");
    expect(created.totalChunks).toBe(Math.ceil(FILES / 250));
    const run = await waitForRun(ctx, officer, created.id);
    expect(run.status).toBe("completed");
    expect(run.rootDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(run.progress).toMatchObject({ chunksDone: run.totalChunks, filesDone: FILES });

    const [counts] = await sqlOf()`select count(*)::int as n, count(distinct file_id)::int as distinct_files,
      min(score) as lo, max(score) as hi, bool_and(model_sha256 = ${model.artifactSha256}) as sha_ok,
      bool_and(jsonb_array_length(reasons) = 5) as five_reasons, bool_and(length(input_digest) = 64) as digest_ok
      from scores where run_id = ${run.id}`;
    expect(counts).toMatchObject({ n: FILES, distinct_files: FILES, sha_ok: true, five_reasons: true, digest_ok: true });
    expect(counts.lo).toBeGreaterThan(0);
    expect(counts.hi).toBeLessThan(1);

    const verify = await ctx.request("GET", `/v1/audit/verify?run=${run.id}`, { key: auditor });
    const report = (await verify.json()) as { ok: boolean; mismatchedChunks: unknown[]; rootOk: boolean };
    expect(report).toMatchObject({ ok: true, rootOk: true, mismatchedChunks: [] });

    const [audit] = await sqlOf()`select count(*)::int as n from audit_events where target = ${run.id}
      and action in ('scoring_run.create', 'scoring_run.complete')`;
    expect(audit.n).toBe(2);
  });

  it("scores only the files of the units in scope", async () => {
    await start();
    const [{ unit, n }] = await sqlOf()`select unit, count(*)::int as n from files group by unit order by count(*) desc limit 1 offset 2`;
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { scope: { units: [unit] } })).id);
    expect(run).toMatchObject({ status: "completed", totalFiles: n });
    const [row] = await sqlOf()`select count(*)::int as n, bool_and(f.unit = ${unit}) as same_unit
      from scores s join files f on f.id = s.file_id where s.run_id = ${run.id}`;
    expect(row).toEqual({ n, same_unit: true });
  });

  it("runs a shadow challenger alongside, and the auditor sees every score of a file newest first", async () => {
    const challenger = await insertTrainedModel(ctx.test.database.db, { status: "trained", seed: 99, params: { hiddenUnits: 8 } });
    const ids = ["F0000003", "F0000004", "F0000777"];
    type Scores = { items: { runId: string; modelId: string; shadow: boolean; createdAt: string; reasons: { attribute: string; direction: string }[] }[] };
    const history = async () => (await (await ctx.request("GET", "/v1/audit/files/F0000003/scores", { key: auditor })).json()) as Scores;
    const before = (await history()).items.length;
    const active = await completedRun({ fileIds: ids });
    const run = await waitForRun(
      ctx,
      officer,
      (await startRun(ctx, officer, { modelId: challenger.id, shadow: true, scope: { fileIds: ids } })).id,
    );
    expect(run).toMatchObject({ status: "completed", shadow: true, totalFiles: 3 });
    const res = await ctx.request("GET", "/v1/audit/files/F0000003/scores", { key: auditor });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Scores;
    expect(body.items.length).toBe(before + 2);
    expect(body.items[0]).toMatchObject({ runId: run.id, modelId: challenger.id, shadow: true });
    expect(body.items[1]).toMatchObject({ runId: active.id, modelId: model.id, shadow: false });
    expect(body.items[0].createdAt >= body.items[1].createdAt).toBe(true);
    expect(body.items[0].reasons).toHaveLength(5);
    const forbidden = await ctx.request("GET", "/v1/audit/files/F0000003/scores", { key: officer });
    expect(forbidden.status).toBe(403);
  });

  it("cancel stops the remaining chunks; resume scores only the unfinished ones, each file once", async () => {
    await stop();
    const created = await startRun(ctx, officer, { scope: { all: true } });
    // Two chunks finish before the cancel: run their processor directly (the flow's jobs wait in Redis).
    const pool = createCpuPool({ threads: 1 });
    const processor = scoreChunkProcessor(pool, ctx.test.database, createLogger("silent"));
    for (const chunkNo of [0, 1]) {
      await processor({ data: { runId: created.id, chunkNo }, attemptsMade: 0, opts: { attempts: 3 } } as unknown as Job);
    }
    await pool.close();
    const cancel = await ctx.request("POST", `/v1/scoring-runs/${created.id}/cancel`, { key: officer });
    expect(cancel.status).toBe(200);
    await start();
    // The parent runs once every chunk has run (skipped, for the cancelled run): then nothing moves.
    expect(await jobEnded(ctx, QUEUE.scoring, finalizeJobId(created.id, 1))).toMatchObject({ event: "completed" });
    const cancelled = await waitForRun(ctx, officer, created.id);
    expect(cancelled.status).toBe("cancelled");
    const before = await sqlOf()`select chunk_no, finished_at from scoring_chunks where run_id = ${created.id} and digest is not null`;
    expect(before.map((b) => b.chunk_no).sort()).toEqual([0, 1]);
    const [partial] = await sqlOf()`select count(*)::int as n from scores where run_id = ${created.id}`;
    expect(partial.n).toBe(500);

    const again = await ctx.request("POST", `/v1/scoring-runs/${created.id}/cancel`, { key: officer });
    expect(again.status).toBe(409);
    const resumed = await ctx.request("POST", `/v1/scoring-runs/${created.id}/resume`, { key: officer });
    expect(resumed.status).toBe(202);
    const done = await waitForRun(ctx, officer, created.id);
    expect(done).toMatchObject({ status: "completed", attempt: 2 });
    const [all] = await sqlOf()`select count(*)::int as n, count(distinct file_id)::int as d from scores where run_id = ${created.id}`;
    expect(all).toEqual({ n: FILES, d: FILES });
    const after = await sqlOf()`select chunk_no, finished_at from scoring_chunks where run_id = ${created.id} and chunk_no in ${sqlOf()(before.map((b) => b.chunk_no))}`;
    // The chunks finished before the cancel were not scored again.
    expect(after.map((a) => String(a.finished_at)).sort()).toEqual(before.map((b) => String(b.finished_at)).sort());
  });
});

describe("a chunk that fails after its retries", () => {
  it("fails the run with the chunk and the reason", async () => {
    await start();
    const artifact = Buffer.from("not a model artifact");
    const [bad] = await sqlOf()`insert into models (id, status, seed, trained_by, artifact, artifact_sha256)
      values (gen_random_uuid(), 'trained', 1, 'test', ${artifact}, ${"0".repeat(64)}) returning id`;
    const run = await startRun(ctx, officer, { modelId: bad.id, scope: { fileIds: ["F0000001"] } });
    const failed = await waitForRun(ctx, officer, run.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^chunk 0: .*not a model artifact/);
    const [{ n }] = await sqlOf()`select count(*)::int as n from scores where run_id = ${run.id}`;
    expect(n).toBe(0);
  });
});

describe("a chunk failed by BullMQ itself (stalled too often), never by its processor", () => {
  it("fails the run through the queue's failed event", async () => {
    await stop();
    const taker = new Worker(QUEUE.scoring, null, { connection: ctx.redis.duplicate(), prefix: ctx.config.QUEUE_PREFIX, autorun: false });
    let watcher: { close(): Promise<void> } | undefined;
    try {
      const run = await startRun(ctx, officer, { scope: { fileIds: ["F0000001"] } });
      const job = (await taker.getNextJob("test-token")) as Job;
      expect(job.name).toBe("score-chunk");
      // The chunk fails the moment the watcher resolves, so the run fails only if the watcher
      // really hears every event published once it has resolved (services/worker/scoring-failures.ts).
      watcher = await watchScoringFailures({
        database: ctx.test.database,
        connection: ctx.redis,
        config: ctx.config,
        logger: createLogger("silent"),
      });
      // What the stall checker does to a chunk whose workers keep dying: straight to failed.
      await job.moveToFailed(new UnrecoverableError("job stalled more than allowable limit"), "test-token", false);
      const failed = await waitForRun(ctx, officer, run.id, (r) => r.status === "failed", 20_000);
      expect(failed.error).toMatch(/stalled more than allowable limit/);
      const [{ n }] = await sqlOf()`select count(*)::int as n from audit_events where action = 'scoring_run.fail' and target = ${run.id}`;
      expect(n).toBe(1);
    } finally {
      await taker.close();
      await watcher?.close();
    }
  });
});

describe("GET /v1/scoring-runs/{id}/events", () => {
  it("streams the run as server-sent events and ends with the terminal state", async () => {
    const { id } = await completedRun({ fileIds: ["F0000001", "F0000002"] });
    const res = await ctx.request("GET", `/v1/scoring-runs/${id}/events`, { key: auditor });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text).toContain("event: end");
    const data = JSON.parse(/data: (.*)/.exec(text)![1]) as { id: string; status: string; progress: { filesDone: number } };
    expect(data).toMatchObject({ id, status: "completed" });
    expect(data.progress.filesDone).toBeGreaterThan(0);
  });
});

describe("GET /v1/audit/verify?run=", () => {
  it("names the chunk whose stored score was altered", async () => {
    const { id: runId } = await completedRun({ all: true });
    const su = ctx.test.superuser();
    const part = `scores_${runId.replace(/-/g, "")}`;
    await su.begin(async (tx) => {
      await tx.unsafe(`alter table ${part} disable trigger user`);
      await tx.unsafe(`update ${part} set score = score + 0.01 where file_id = 'F0000600'`);
      await tx.unsafe(`alter table ${part} enable trigger user`);
    });
    const res = await ctx.request("GET", `/v1/audit/verify?run=${runId}`, { key: auditor });
    const report = (await res.json()) as { ok: boolean; rootOk: boolean; mismatchedChunks: { chunkNo: number; firstFileId: string }[] };
    expect(report.ok).toBe(false);
    expect(report.rootOk).toBe(false);
    // 250 files per chunk: F0000600 is the 600th file, in chunk 2.
    expect(report.mismatchedChunks.map((m) => m.chunkNo)).toEqual([2]);
    const chain = await ctx.request("GET", "/v1/audit/verify", { key: auditor });
    expect(((await chain.json()) as { ok: boolean }).ok).toBe(true);

    // A cover-up: the chunk's digest and the run's root rewritten to match the altered score (as
    // a superuser with triggers off: the application role cannot, see audit-roles.test.ts). The
    // hash chain still holds the run's true root, so verification still fails.
    const covered = report as unknown as { mismatchedChunks: { chunkNo: number; recomputedDigest: string }[]; recomputedRootDigest: string | null };
    const [{ chunkNo, recomputedDigest }] = covered.mismatchedChunks;
    await su.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`update scoring_chunks set digest = ${recomputedDigest} where run_id = ${runId} and chunk_no = ${chunkNo}`;
    });
    const afterChunk = (await (await ctx.request("GET", `/v1/audit/verify?run=${runId}`, { key: auditor })).json()) as { recomputedRootDigest: string };
    await su.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`update scoring_runs set root_digest = ${afterChunk.recomputedRootDigest} where id = ${runId}`;
    });
    const coveredUp = (await (await ctx.request("GET", `/v1/audit/verify?run=${runId}`, { key: auditor })).json()) as {
      ok: boolean;
      rootOk: boolean;
      chainOk: boolean;
      mismatchedChunks: unknown[];
    };
    expect(coveredUp.mismatchedChunks).toEqual([]);
    expect(coveredUp.rootOk).toBe(true);
    expect(coveredUp.chainOk).toBe(false);
    expect(coveredUp.ok).toBe(false);
  });
});

describe("DELETE /v1/scoring-runs/{id}/scores", () => {
  it("drops the run's partition for an admin, audited; a data officer may not", async () => {
    const { id: runId } = await completedRun({ fileIds: ["F0000005", "F0000006"] });
    expect((await ctx.request("DELETE", `/v1/scoring-runs/${runId}/scores`, { key: officer })).status).toBe(403);
    const admin = await ctx.key("admin");
    const res = await ctx.request("DELETE", `/v1/scoring-runs/${runId}/scores`, { key: admin });
    expect(res.status).toBe(200);
    const [left] = await sqlOf()`select count(*)::int as n from scores where run_id = ${runId}`;
    expect(left.n).toBe(0);
    const [event] = await sqlOf()`select count(*)::int as n from audit_events where action = 'scoring_run.scores.drop' and target = ${runId}`;
    expect(event.n).toBe(1);
    expect((await ctx.request("DELETE", `/v1/scoring-runs/${runId}/scores`, { key: admin })).status).toBe(409);
  });
});
