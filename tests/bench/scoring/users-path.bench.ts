/**
 * The user's path (`npm run bench -- scoring`, after the settled phases of scoring.bench.ts; alone:
 * `node --import tsx tests/bench/scoring/users-path.bench.ts [files]`): a fresh database, the
 * processes `npm start` gives on a DATABASE_URL (one `--role all`: the API and its own worker) plus
 * one `--role worker`, both with their default settings; the demo files (1,000,000 by default)
 * imported through POST /v1/files/import, and the moment it answers, a scoring run of every file.
 * The benchmark settles nothing in between (no VACUUM, ANALYZE or CHECKPOINT of its own): the run
 * meets what the import leaves (a large import's own VACUUM (ANALYZE), IMPORT_SETTLE_ROWS, is in the
 * import's time, and shown as maintenanceSeconds). The floor is a raw COPY of the same score rows, measured in the same run
 * (tests/bench/lib/score-floor.ts). Prints one JSON line per step, with where the CPU went (service
 * processes and Postgres processes by type), what autovacuum did, the WAL written and checkpoints.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { demoSchema } from "../../../data/demo/schema.js";
import { writeDemoPopulation } from "../../../data/demo/write-csv.js";
import { createRedis } from "../../../jobs/connection.js";
import { createQueues } from "../../../jobs/queues.js";
import { migrateDatabase, openDatabase } from "../../../services/db/client.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";
import { startCpuSampler } from "../lib/cpu-sampler.js";
import { copyFloor } from "../lib/score-floor.js";

const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const FILES = Number(process.argv[2] ?? 1_000_000);
const ROOT = new URL("../../../", import.meta.url).pathname;

const print = (o: Record<string, unknown>) => console.log(JSON.stringify(o));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 2) => +n.toFixed(digits);

/** The demo CSV, cached in the OS temp dir (shared with the import benchmark). */
async function demoCsv(): Promise<string> {
  const dir = join(tmpdir(), `cts-bench-demo-${FILES}-seed1`);
  if (!existsSync(join(dir, ".complete"))) {
    await writeDemoPopulation(dir, { files: FILES, seed: 1 });
    writeFileSync(join(dir, ".complete"), "ok\n");
  }
  return join(dir, "files.csv");
}

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

function startProcess(role: "all" | "worker", env: Record<string, string>): { child: ChildProcess; output: () => string } {
  // BENCH_CPU_PROF_DIR: a V8 CPU profile per thread of each service process, written when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "services/main.ts", "--role", role], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  return { child, output: () => out };
}

async function call(url: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer).slice(0, 1000)}`);
  return answer;
}

/** The "chunk scored" debug lines of one process, summed: chunks, and ms of read, each CPU phase, write. */
function chunkTimes(output: string): Record<string, number> {
  const sums: Record<string, number> = { chunks: 0 };
  for (const line of output.split("\n")) {
    if (!line.includes('"chunk scored"')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    sums.chunks += 1;
    for (const key of ["readMs", "parse", "encode", "predict", "explain", "rows", "writeMs"]) sums[key] = Math.round((sums[key] ?? 0) + Number(entry[key] ?? 0));
  }
  return sums;
}

async function walAndCheckpoints(sql: postgres.Sql) {
  const [row] = await sql<{ lsn: string; checkpoints: number }[]>`
    select pg_current_wal_lsn()::text as lsn, (checkpoints_timed + checkpoints_req)::int as checkpoints from pg_stat_bgwriter`;
  return row;
}

async function walMbBetween(sql: postgres.Sql, from: string, to: string) {
  const [row] = await sql<{ bytes: string }[]>`select pg_wal_lsn_diff(${to}::pg_lsn, ${from}::pg_lsn)::text as bytes`;
  return Math.round(Number(row.bytes) / 1e6);
}

async function main() {
  const csv = await demoCsv();
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  const name = `cts_bench_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  await admin.unsafe(`create database ${name}`);
  const url = PG.replace(/\/[^/]*$/, `/${name}`);
  const database = await openDatabase({ url });
  const watch = postgres(url, { max: 1, onnotice: () => {} });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(REDIS);
  const queues = createQueues(redis, prefix);
  const procs: ChildProcess[] = [];
  try {
    await migrateDatabase(database);
    const model = await insertTrainedModel(database.db, { status: "active", demoFiles: 20_000, params: { hiddenUnits: 64, layers: 2, maxEpochs: 3 } });
    print({ phase: "users-path model", network: model.trained.network.spec });

    const port = await freePort();
    // debug: each chunk's "chunk scored" line (read, CPU phases, write), summed per process below.
    const env = { DATABASE_URL: url, REDIS_URL: REDIS, QUEUE_PREFIX: prefix, DEMO_FILES: "0", LOG_LEVEL: "debug", PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" };
    const api = startProcess("all", env);
    const worker = startProcess("worker", env);
    procs.push(api.child, worker.child);
    const apiUrl = `http://127.0.0.1:${port}`;
    let adminKey: string | undefined;
    for (let i = 0; !adminKey; i += 1) {
      if (i > 1200 || api.child.exitCode !== null) throw new Error(`npm start's process did not come up:\n${api.output()}`);
      await sleep(100);
      adminKey = /(cts_[0-9a-f]{8}_[A-Za-z0-9_-]{43})/.exec(api.output())?.[1];
    }
    while ((await queues.scoring.getWorkers()).length < 2) await sleep(200);
    const officer = (await call(apiUrl, adminKey, "POST", "/v1/api-keys", { role: "data_officer", name: "bench" })).key as string;
    await call(apiUrl, officer, "PUT", "/v1/schema", demoSchema());
    // The import starts from a settled WAL, as every step of the other benchmarks does.
    await watch`checkpoint`;

    const pids = { "api (--role all)": api.child.pid as number, "worker (--role worker)": worker.child.pid as number };
    let sampler = startCpuSampler(watch, pids);
    let mark = await walAndCheckpoints(watch);
    let started = performance.now();
    const res = await fetch(`${apiUrl}/v1/files/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${officer}`, "content-type": "text/csv" },
      body: Readable.toWeb(createReadStream(csv, { highWaterMark: 256 * 1024 })) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    const imported = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`import: ${res.status} ${JSON.stringify(imported).slice(0, 1000)}`);
    const importSeconds = (performance.now() - started) / 1000;
    const importDiag = await sampler.stop();
    let next = await walAndCheckpoints(watch);
    print({
      phase: "users-path import",
      files: FILES,
      seconds: round(importSeconds),
      rowsPerSec: Math.round(FILES / importSeconds),
      loadAverage1m: round(loadavg()[0], 1),
      walMb: await walMbBetween(watch, mark.lsn, next.lsn),
      checkpoints: next.checkpoints - mark.checkpoints,
      ...importDiag,
    });

    // At once, as a user would.
    sampler = startCpuSampler(watch, pids);
    mark = next;
    started = performance.now();
    const postedAt = Date.now();
    const run = await call(apiUrl, officer, "POST", "/v1/scoring-runs", { scope: { all: true } });
    const acceptedMs = performance.now() - started;
    let last: Record<string, unknown> = run;
    while (last.status !== "completed") {
      if (last.status === "failed" || last.status === "cancelled") throw new Error(`run ${last.status}: ${last.error}`);
      if (procs.some((p) => p.exitCode !== null)) throw new Error("a service process exited during the run: the measurement is void");
      await sleep(100);
      last = await call(apiUrl, officer, "GET", `/v1/scoring-runs/${run.id}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const runDiag = await sampler.stop();
    next = await walAndCheckpoints(watch);
    const [chunks] = await watch<{ first: Date; last: Date; n: number }[]>`
      select min(finished_at) as first, max(finished_at) as last, count(*)::int as n from scoring_chunks where run_id = ${run.id as string}`;
    const [stats] = await watch<{ analyzed: boolean; vacuumed: boolean }[]>`
      select (coalesce(last_analyze, last_autoanalyze) is not null) as analyzed, (coalesce(last_vacuum, last_autovacuum) is not null) as vacuumed
      from pg_stat_user_tables where relname = 'files'`;
    const walMb = await walMbBetween(watch, mark.lsn, next.lsn);
    const floor = await copyFloor(database, run.id as string);
    print({
      phase: "users-path score",
      files: FILES,
      chunks: chunks.n,
      seconds: round(seconds),
      filesPerSecond: Math.round(FILES / seconds),
      acceptedMs: Math.round(acceptedMs),
      firstChunkSeconds: round((chunks.first.getTime() - postedAt) / 1000),
      lastChunkSeconds: round((chunks.last.getTime() - postedAt) / 1000),
      filesAnalyzedByEnd: stats?.analyzed ?? null,
      filesVacuumedByEnd: stats?.vacuumed ?? null,
      walMb,
      checkpoints: next.checkpoints - mark.checkpoints,
      floorCopySeconds: round(floor),
      ratioToFloor: round(seconds / floor),
      loadAverage1m: round(loadavg()[0], 1),
      ...runDiag,
      chunkMsByProcess: { "api (--role all)": chunkTimes(api.output()), "worker (--role worker)": chunkTimes(worker.output()) },
      targets: { seconds: FILES >= 1_000_000 ? 20 : null, ratio: 3 },
    });
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once("exit", r)) : null)));
    await queues.close();
    await redis.quit();
    await watch.end({ timeout: 5 });
    await database.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
