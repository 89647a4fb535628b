/**
 * Scoring benchmark (`npm run bench -- scoring [files]`): real Postgres and Redis, demo files loaded
 * with COPY, a trained model, worker processes started like production (`--role worker` on a
 * DATABASE_URL), end to end from POST /v1/scoring-runs to status completed with every row committed.
 * Prints JSON lines: files/s, seconds, peak worker RSS (VmHWM), and the floor measured in the same
 * run: a raw COPY of the same score rows into a plain table (no indexes, no partition), with the ratio.
 * Phases: 100,000 files with one worker, then 1,000,000 (or argv[2]) with two. Each starts from a
 * settled database (files vacuumed and analyzed, then a checkpoint), and so does the floor.
 * BENCH_CHUNK_SIZES=10000,25000,50000 repeats the large phase per chunk size (to choose it);
 * BENCH_CPU_PROF=<dir> makes the workers write V8 CPU profiles there.
 * The user's path (a fresh import through the API, then a run at once, on the processes `npm start`
 * gives plus one worker) is tests/bench/scoring/users-path.bench.ts, run after this one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { createRedis } from "../../jobs/connection.js";
import { createQueues } from "../../jobs/queues.js";
import { createApp } from "../../services/api/app.js";
import { SYSTEM_ACTOR } from "../../services/auth/actor.js";
import { parseConfig } from "../../services/config.js";
import { type Database, migrateDatabase, openDatabase } from "../../services/db/client.js";
import { createApiKey } from "../../services/db/queries/api-keys.js";
import { createLogger } from "../../services/logger.js";
import { insertDemoFiles } from "../helpers/demo-files.js";
import { insertTrainedModel } from "../helpers/trained-model.js";
import { startCpuSampler } from "./lib/cpu-sampler.js";
import { copyFloor } from "./lib/score-floor.js";

const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const LARGE = Number(process.argv[2] ?? 1_000_000);
const CHUNK_SIZES = (process.env.BENCH_CHUNK_SIZES ?? "10000").split(",").map(Number);
const ROOT = new URL("../../", import.meta.url).pathname;

const print = (o: Record<string, unknown>) => console.log(JSON.stringify(o));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Peak resident set of a process (VmHWM), MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

async function freshDatabase(files: number): Promise<{ name: string; url: string; database: Database }> {
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  const name = `cts_bench_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = PG.replace(/\/[^/]*$/, `/${name}`);
  const database = await openDatabase({ url });
  await migrateDatabase(database);
  const t = performance.now();
  await insertDemoFiles(database, { files });
  // Settle what the setup load leaves behind, as a real import long done would have: otherwise
  // autovacuum's insert-triggered pass over the new files and a WAL-size checkpoint (with its
  // full-page images) land inside the timed run at random (measured: 16.8 s vs 20.6 s runs).
  if (database.driver === "postgres") {
    await database.sql`vacuum analyze files`;
    await database.sql`checkpoint`;
  }
  print({ phase: "setup", files, loadSeconds: +((performance.now() - t) / 1000).toFixed(1) });
  return { name, url, database };
}

function startWorker(url: string, prefix: string): ChildProcess {
  // BENCH_CPU_PROF=<dir>: each worker process (and its pool threads) writes a V8 CPU profile there.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return spawn(process.execPath, [...profile, "--import", "tsx", "services/main.ts", "--role", "worker"], {
    cwd: ROOT,
    stdio: ["ignore", process.env.BENCH_WORKER_LOG ? "inherit" : "ignore", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: url,
      REDIS_URL: REDIS,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: process.env.BENCH_WORKER_LOG ?? "warn",
      WORKER_THREADS: "1",
      WORKER_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? "2",
      TFJS_BACKEND: process.env.BENCH_BACKEND ?? "wasm",
    },
  });
}

/** One end-to-end run: workers up and idle first, then the clock runs from POST to completed. */
async function endToEnd(url: string, database: Database, files: number, workers: number, chunkSize: number) {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const config = parseConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", QUEUE_PREFIX: prefix, SCORING_CHUNK_SIZE: String(chunkSize) });
  const redis = createRedis(REDIS);
  const queues = createQueues(redis, prefix);
  const app = createApp({ database, redis, queues, config, logger: createLogger("silent"), tfjsBackend: () => null });
  const key = (await createApiKey(database.db, { role: "data_officer", units: [], name: "bench" }, SYSTEM_ACTOR)).key;
  const procs = Array.from({ length: workers }, () => startWorker(url, prefix));
  let died: string | null = null;
  for (const p of procs) p.once("exit", (code, signal) => (died ??= `worker ${p.pid} exited (${code ?? signal})`));
  try {
    while ((await queues.scoring.getWorkers()).length < workers) await sleep(200);
    const sampler = database.driver === "postgres" ? startCpuSampler(database.sql, Object.fromEntries(procs.map((p, i) => [`worker ${i + 1}`, p.pid as number]))) : null;
    const started = performance.now();
    const res = await app.request("/v1/scoring-runs", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ scope: { all: true } }),
    });
    const run = (await res.json()) as { id: string; totalChunks: number };
    if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${JSON.stringify(run)}`);
    let status = "queued";
    let last: Record<string, unknown> = {};
    while (status !== "completed") {
      await sleep(100);
      const r = await app.request(`/v1/scoring-runs/${run.id}`, { headers: { authorization: `Bearer ${key}` } });
      last = (await r.json()) as Record<string, unknown>;
      status = String(last.status);
      if (status === "failed" || status === "cancelled") throw new Error(`run ${status}: ${last.error}`);
      if (died) throw new Error(`${died} during the run: the measurement is void`);
    }
    const seconds = (performance.now() - started) / 1000;
    const diagnosis = await sampler?.stop();
    const rss = procs.map((p) => peakRssMb(p.pid!));
    // Rank is derived at read time (no rank index on the write path): the top 1,000 of the run.
    let t = performance.now();
    if (database.driver === "postgres") {
      await database.sql`select file_id, score from scores where run_id = ${run.id} order by score desc, file_id limit 1000`;
    }
    const top1000Ms = performance.now() - t;
    const auditor = (await createApiKey(database.db, { role: "auditor", units: [], name: "bench" }, SYSTEM_ACTOR)).key;
    t = performance.now();
    const verify = await app.request(`/v1/audit/verify?run=${run.id}`, { headers: { authorization: `Bearer ${auditor}` } });
    const verified = (await verify.json()) as { ok: boolean };
    return { runId: run.id, chunks: run.totalChunks, seconds, rss, diagnosis, top1000Ms, verifySeconds: (performance.now() - t) / 1000, verifyOk: verified.ok };
  } finally {
    died = "stopped";
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    await queues.close();
    await redis.quit();
  }
}

async function phase(files: number, workers: number) {
  const { name, url, database } = await freshDatabase(files);
  try {
    const model = await insertTrainedModel(database.db, { status: "active", demoFiles: 20_000, params: { hiddenUnits: 64, layers: 2, maxEpochs: 3 } });
    print({ phase: "model", network: model.trained.network.spec, encodedColumns: model.encoder.nCols });
    for (const chunkSize of workers === 1 ? [CHUNK_SIZES[0]] : CHUNK_SIZES) {
      const e2e = await endToEnd(url, database, files, workers, chunkSize);
      const floor = await copyFloor(database, e2e.runId);
      print({
        phase: "score",
        files,
        workers,
        chunkSize,
        chunks: e2e.chunks,
        seconds: +e2e.seconds.toFixed(2),
        filesPerSecond: Math.round(files / e2e.seconds),
        peakWorkerRssMb: e2e.rss,
        top1000Ms: Math.round(e2e.top1000Ms),
        verifySeconds: +e2e.verifySeconds.toFixed(1),
        verifyOk: e2e.verifyOk,
        floorCopySeconds: +floor.toFixed(2),
        ratioToFloor: +(e2e.seconds / floor).toFixed(2),
        // The machine is shared: its load says how far these seconds are from a quiet machine's.
        loadAverage1m: +loadavg()[0].toFixed(1),
        ...e2e.diagnosis,
        targets: { seconds: files >= 1_000_000 ? 20 : null, ratio: 3, rssMb: 1024 },
      });
    }
  } finally {
    await database.close();
    const admin = postgres(PG, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

if (process.env.BENCH_SKIP_SMALL !== "1") await phase(Math.min(100_000, LARGE), 1);
await phase(LARGE, 2);
process.exit(0);
