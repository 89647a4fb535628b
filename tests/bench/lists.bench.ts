/**
 * Control-list benchmark (`npm run bench -- lists [--files N] [--duration S]`). Real Postgres, the
 * real HTTP server as a separate process (`services/main.ts --role api`), autocannon as the load:
 *   1. setup: a fresh database with 1,000,000 scored files in 20 units (COPY), an active model,
 *      one completed run, and 50,000 past controls spread over two years;
 *   2. create: 50 clients build lists of capacity 50 for 30 s, units in rotation (first with one
 *      client, to show the service's own latency without queueing);
 *   2'. floor-create-sql, right before (2), on the same state and under the same load, at 1, 50 and
 *      100 clients: straight from this process, the database work of a list create through the
 *      service's own query functions (the key lookup, the list source, then the transaction: the
 *      unit's lock, its ineligible files, list, items with their files' attributes, audit event,
 *      synchronous commit), with no HTTP and no selection. Its lists are deleted afterwards,
 *      so (2) sees the same open lists;
 *   3. read: 1, 100 and 50 clients read the lists made in (2) as JSON, ids in rotation (each read is
 *      an audit event), then their summaries (not audited), to show what the audit append costs;
 *   3'. floor-read-sql at 1 and 100 clients: the read's database work through the service's own
 *      functions: the key lookup, the list with its items and their files' attributes (one
 *      statement), and its control_list.read event through the service's group commit;
 *   0. floor: GET /healthz with 100 clients, what the machine allows with no database at all.
 * Every measured phase runs while a scoring-like write load goes on: a background writer COPYs
 * new runs' scores into their own partitions in chunks of 10,000 (SCORING_CHUNK_SIZE) at a fixed
 * pace, by default 17,000 rows/s, what one `--role worker` process writes (docs/ARCHITECTURE.md,
 * scoring), from before the first phase to after the last, so no phase runs without it. This is
 * the database side of a scoring run; its tfjs CPU runs on worker processes, not measured here.
 * Prints one JSON line per phase: requests/s, p50, p99 (ms), errors, the target it checks, the
 * scoring rows written during the phase, and where the CPU went (the API process's CPU time per
 * request, and how busy the whole machine was).
 * Targets (issue 16, printed last as "targets"): create p99 within 1.5x of floor-create-sql and read
 * p99 within 2x of floor-read-sql at the same number of clients; one client's p99 under 25 ms for both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomInt, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
// @ts-expect-error autocannon ships no types and @types/autocannon is not a dependency.
import autocannon from "autocannon";
import { sql as drizzleSql } from "drizzle-orm";
import postgres from "postgres";
import { ARTIFACT_FORMAT_VERSION, ARTIFACT_MAGIC } from "../../models/artifact-header.js";
import { startCpuSampler } from "./lib/cpu-sampler.js";
import { type Actor, SYSTEM_ACTOR } from "../../services/auth/actor.js";
import { migrateDatabase, openDatabase } from "../../services/db/client.js";
import { createApiKey, findActiveKey } from "../../services/db/queries/api-keys.js";
import { appendAuditEvent, appendAuditEventAlone } from "../../services/db/queries/audit-events.js";
import {
  findListSource,
  getControlListWithItems,
  ineligibleFiles,
  insertControlList,
  lockUnitLists,
} from "../../services/db/queries/control-lists.js";

const { values: args } = parseArgs({
  options: {
    files: { type: "string", default: "1000000" },
    units: { type: "string", default: "20" },
    duration: { type: "string", default: "30" },
    "read-duration": { type: "string", default: "20" },
    "pg-admin": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
    keep: { type: "boolean", default: false },
    /** Skip the concurrent scoring write load (to see its share of the latency). */
    "no-scoring": { type: "boolean", default: false },
    /** Pace of the concurrent scoring write load, in score rows per second. */
    "scoring-rate": { type: "string", default: "17000" },
    /** Write a V8 CPU profile of the API process into this directory (node --cpu-prof). */
    profile: { type: "string" },
    /** Log every statement with its duration to the server log (log_min_duration_statement = 0), to see where a phase's database time goes. */
    "log-statements": { type: "boolean", default: false },
  },
});
const N_FILES = Number(args.files);
const N_UNITS = Number(args.units);
const UNITS = Array.from({ length: N_UNITS }, (_, i) => `unit-${String(i).padStart(2, "0")}`);
const ROOT = resolve(import.meta.dirname, "../..");
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const dbName = `cts_bench_lists_${Date.now()}`;
const admin = postgres(args["pg-admin"], { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
if (args["log-statements"]) await admin.unsafe(`alter database ${dbName} set log_min_duration_statement = 0`);
const url = args["pg-admin"].replace(/\/[^/]*$/, `/${dbName}`);
const database = await openDatabase({ url, maxConnections: 4 });
await migrateDatabase(database);
const sql = postgres(url, { max: 4, onnotice: () => {} });

/** A deterministic score in (0, 1) per file (hash-spread), so runs are comparable. */
const scoreOf = (i: number, salt: number) => ((Math.imul(i + 1, 2654435761 + salt) >>> 0) % 1_000_000) / 1_000_000 + 5e-7;
const fileId = (i: number) => `F${String(i).padStart(7, "0")}`;
const REGIONS = ["coast", "hills", "city", "plain"];

async function copyRows(statement: string, rows: () => Generator<string>) {
  const writable = await sql.unsafe(statement).writable();
  await pipeline(Readable.from(rows()), writable);
}

function* fileRows(): Generator<string> {
  let buf = "";
  for (let i = 0; i < N_FILES; i++) {
    buf += `${fileId(i)}\t${UNITS[i % N_UNITS]}\t{"region":"${REGIONS[i % 4]}","amount":${100 + (i % 977)}}\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

function* scoreRows(runId: string, modelId: string, from: number, to: number, salt: number): Generator<string> {
  let buf = "";
  for (let i = from; i < to; i++) {
    const s = scoreOf(i, salt);
    buf += `${runId}\t${fileId(i)}\t${modelId}\tbench\t${s}\t[["amount",${(s / 2).toFixed(6)}]]\td${i}\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

/**
 * A model artifact that holds only the header the API reads (its encoder: typical values and
 * labels), so that every list created or read puts its reasons in words, as with a trained model.
 * Scoring is simulated by COPY here, so no weights are needed.
 */
function artifactWithEncoder(): Buffer {
  const level = (label: string) => ({ attribute: "region", label });
  const encoder = {
    version: 1,
    clip: 5,
    nRowsFitted: N_FILES,
    attributes: [
      { name: "region", type: "categorical", offset: 0, width: 6, missingColumn: true, levels: REGIONS, typical: REGIONS[0] },
      { name: "amount", type: "numeric", offset: 6, width: 2, missingColumn: true, transform: "none", median: 588, scale: 280, typical: 588 },
    ],
    columns: [...REGIONS.map(level), level("other"), level("missing"), { attribute: "amount", label: "amount" }, { attribute: "amount", label: "amount missing" }],
    nCols: 8,
  };
  const header = Buffer.from(JSON.stringify({ encoder }));
  const frame = Buffer.alloc(12);
  ARTIFACT_MAGIC.forEach((b, i) => frame.writeUInt8(b, i));
  frame.writeUInt32LE(ARTIFACT_FORMAT_VERSION, 4);
  frame.writeUInt32LE(header.length, 8);
  return Buffer.concat([frame, header]);
}

const SCORE_COPY = "copy scores (run_id, file_id, model_id, model_sha256, score, reasons, input_digest) from stdin";

let t = performance.now();
await copyRows("copy files (id, unit, attributes) from stdin", fileRows);
const modelId = randomUUID();
const artifact = artifactWithEncoder();
await sql`insert into models (id, status, seed, trained_by, artifact, artifact_sha256, activated_at)
          values (${modelId}, 'active', 1, 'bench', ${artifact}, ${createHash("sha256").update(artifact).digest("hex")}, now() - interval '1 hour')`;
await sql`insert into feature_schemas (version, definition, created_by) values (1, ${sql.json({
  attributes: [
    { name: "region", type: "categorical", role: "feature", missing: "allow" },
    { name: "amount", type: "numeric", role: "feature", missing: "allow" },
  ],
  amountAttribute: "amount",
})}, 'bench')`;
const runId = randomUUID();
await sql`insert into scoring_runs (id, model_id, scope, status, total_files, requested_by, finished_at)
          values (${runId}, ${modelId}, '{}', 'completed', ${N_FILES}, 'bench', now())`;
await sql`select cts_create_scores_partition(${runId}::uuid)`;
await copyRows(SCORE_COPY, () => scoreRows(runId, modelId, 0, N_FILES, 0));
// Past controls: 5% of files, controlled_at spread over two years (about half inside the window).
await copyRows("copy outcomes (file_id, unit, controlled_at, outcome, recorded_by) from stdin", function* () {
  let buf = "";
  // Every 20th file, shifted by one each time, so all units get their share.
  for (let k = 0; k * 20 < N_FILES; k++) {
    const i = Math.min(N_FILES - 1, k * 20 + (k % N_UNITS));
    const day = new Date(Date.now() - ((i * 7) % 730) * 86_400_000).toISOString().slice(0, 10);
    buf += `${fileId(i)}\t${UNITS[i % N_UNITS]}\t${day}\t${i % 3 === 0 ? 1 : 0}\thistory\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
});
// As autovacuum would have by the time lists are built: visibility map set, statistics fresh.
await sql`vacuum analyze`;
emit({ phase: "setup", files: N_FILES, units: N_UNITS, pastControls: Math.ceil(N_FILES / 20), ms: Math.round(performance.now() - t) });

const inspector = (await createApiKey(database.db, { role: "inspector", units: UNITS, name: "bench inspector" }, SYSTEM_ACTOR)).key;
await database.close();

const profileArgs = args.profile ? ["--cpu-prof", "--cpu-prof-dir", resolve(args.profile)] : [];
const port = 3900 + Math.floor(Math.random() * 90);
const server: ChildProcess = spawn(process.execPath, [...profileArgs, "--import", "tsx", "services/main.ts", "--role", "api"], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: "warn", NODE_ENV: "production", QUEUE_PREFIX: `bench-${Date.now()}` },
  stdio: ["ignore", "inherit", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break;
  } catch {
    if (i > 300) throw new Error("the API did not start");
  }
  await new Promise((r) => setTimeout(r, 200));
}
const auth = { authorization: `Bearer ${inspector}`, "content-type": "application/json" };

// Warm-up: one list per unit, so each unit's ranked pool is loaded once before measuring.
t = performance.now();
for (const unit of UNITS) {
  const res = await fetch(`${base}/v1/control-lists`, { method: "POST", headers: auth, body: JSON.stringify({ unit, capacity: 50 }) });
  if (res.status !== 201) throw new Error(`warm-up create failed: ${res.status} ${await res.text()}`);
}
emit({ phase: "warm-up", lists: N_UNITS, ms: Math.round(performance.now() - t) });

// The concurrent scoring-like write load: new runs of the same size, COPYed chunk by chunk at a
// fixed pace until the last phase ends (a new run, in its own partition, after each million).
const SCORING_CHUNK = 10_000;
const scoringRate = Number(args["scoring-rate"]);
let scoringStop = false;
let scoredRows = 0;
const scoring = (async () => {
  if (args["no-scoring"]) return;
  const started = performance.now();
  for (let salt = 1; !scoringStop; salt++) {
    const run = randomUUID();
    await sql`insert into scoring_runs (id, model_id, scope, status, total_files, requested_by) values (${run}, ${modelId}, '{}', 'running', ${N_FILES}, 'bench')`;
    await sql`select cts_create_scores_partition(${run}::uuid)`;
    for (let from = 0; from < N_FILES && !scoringStop; from += SCORING_CHUNK) {
      await copyRows(SCORE_COPY, () => scoreRows(run, modelId, from, Math.min(N_FILES, from + SCORING_CHUNK), salt));
      scoredRows += Math.min(N_FILES, from + SCORING_CHUNK) - from;
      const ahead = (scoredRows / scoringRate) * 1000 - (performance.now() - started);
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  }
})();

/** CPU time (ms) the API process has used, from /proc/<pid>/stat (utime + stime, in clock ticks). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/** Busy and total CPU time of the whole machine, from /proc/stat (all cores). */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}
const CLOCK_TICKS = 100;

/** The q-quantile of ascending `sorted` (1 = the maximum), in ms to one decimal: the floors' latencies. */
const at = (sorted: number[], q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;

/**
 * Where the machine's CPU went during a phase, per request: the API process, this benchmark
 * process (autocannon, or the floors' own driver work) and this database's Postgres backends (the
 * scoring load's included), so a phase can be set beside its floor by the work it cost, not only
 * by its latency.
 */
function cpuAccount() {
  const pg = startCpuSampler(sql, {});
  const [api0, bench0, machine0] = [processCpuMs(server.pid as number), process.cpuUsage(), machineCpu()];
  return async (requests: number) => {
    const [api1, bench1, machine1] = [processCpuMs(server.pid as number), process.cpuUsage(bench0), machineCpu()];
    const { cpuSeconds } = await pg.stop();
    const postgresMs = Object.entries(cpuSeconds).reduce((sum, [group, seconds]) => (group.startsWith("postgres") ? sum + seconds * 1000 : sum), 0);
    const per = (ms: number) => Math.round((ms / Math.max(1, requests)) * 100) / 100;
    return {
      apiCpuMsPerRequest: per(api1 - api0),
      benchCpuMsPerRequest: per((bench1.user + bench1.system) / 1000),
      postgresCpuMsPerRequest: per(postgresMs),
      machineBusyPct: Math.round((100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total)),
    };
  };
}

/** The fields of autocannon's result this benchmark reports (autocannon ships no types). */
interface LoadResult {
  connections: number;
  duration: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
}
type LoadRequest = { path: string; body?: string } & Record<string, unknown>;

/** Runs one autocannon phase and measures, alongside, the scoring rows written and the CPU used. */
async function load(options: Record<string, unknown>) {
  const rows0 = scoredRows;
  const account = cpuAccount();
  const result: LoadResult = await autocannon(options);
  return {
    result,
    scoringRowsPerSecond: Math.round((scoredRows - rows0) / result.duration),
    ...(await account(result.requests.total)),
  };
}

const summarize = (phase: string, { result: r, ...measured }: Awaited<ReturnType<typeof load>>, target: number | null) => ({
  phase,
  connections: r.connections,
  durationS: r.duration,
  requests: r.requests.total,
  requestsPerSecond: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  maxMs: r.latency.max,
  non2xx: r.non2xx,
  errors: r.errors,
  targetP99Ms: target,
  meetsTarget: target === null ? null : r.latency.p99 < target,
  ...measured,
});

// Floor: the same server answering GET /healthz (no database), to show what the machine allows.
const floor = await load({ url: `${base}/healthz`, connections: 100, duration: 5 });
emit(summarize("floor-healthz", floor, null));

let unitTurn = 0;
// One client first: the service's own latency for a create, without queueing behind others.
const createOne = await load({
  url: base,
  connections: 1,
  duration: 5,
  requests: [{ method: "POST", path: "/v1/control-lists", headers: auth, setupRequest: (req: LoadRequest) => ({ ...req, body: JSON.stringify({ unit: UNITS[unitTurn++ % N_UNITS], capacity: 50 }) }) }],
});
emit(summarize("create-1-client", createOne, null));

// Floor of the create target: the database work of a list, under the same scoring load and on the
// same database state as "create", with no HTTP, no API process and no selection. 50 clients
// (sharing a pool of 10 connections, as the service does), units in rotation as in "create", each
// running per list the statements the service runs (services/lists/create-list.ts), through the
// same query functions: the key lookup, the list source, then one transaction with the unit's
// advisory lock, the unit's ineligible files (open lists, recent controls), the list row, its 50
// items with their reasons probed from the run's scores and their files' attributes returned, the
// control_list.create event appended to the hash chain, and a synchronous commit. Files: the unit's
// files scored in the completed run, never controlled and on no open list, best score first, each
// on one list only; a unit that runs out closes its floor lists and starts over (counted as
// recycles). Afterwards the floor's lists and items are deleted and vacuumed, so "create" sees the
// same open lists as without the floor (its audit events stay: the chain is append-only). It
// reports a client's whole latency (p50Ms, p99Ms, maxMs) and the time spent waiting for the lock.
const FLOOR_ACTOR: Actor = { keyId: null, id: "bench-floor", name: "bench floor", role: "inspector", units: UNITS };
const FLOOR_CAPACITY = 50;
const FLOOR_EXPLORE = Math.floor(FLOOR_CAPACITY * 0.1);
const floorUnits = new Map<string, { ids: string[]; scores: number[]; next: number }>();
for (const unit of UNITS) {
  const rows = await sql<{ file_id: string; score: number }[]>`
    select s.file_id, s.score from scores s join files f on f.id = s.file_id
    where s.run_id = ${runId} and f.unit = ${unit}
      and not exists (select 1 from outcomes o where o.file_id = s.file_id)
      and not exists (select 1 from control_list_items i join control_lists l on l.id = i.list_id
                      where i.file_id = s.file_id and l.status = 'open' and i.status <> 'done')
    order by s.score desc`;
  floorUnits.set(unit, { ids: rows.map((r) => r.file_id), scores: rows.map((r) => Number(r.score)), next: 0 });
}

async function floorCreateSql(connections: number, durationS: number) {
  const floorDb = await openDatabase({ url, maxConnections: 10 });
  await Promise.all(Array.from({ length: 10 }, () => floorDb.db.execute(drizzleSql`select 1`)));
  const latencies: number[] = [];
  const lockWaits: number[] = [];
  let recycles = 0;
  const cutoff = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  /** One list of `unit`, as the service stores it: its statements, through its own query functions. */
  const storeOne = async (unit: string) => {
    await findActiveKey(floorDb.db, inspector);
    const source = await findListSource(floorDb.db, unit);
    if (source.runId !== runId) throw new Error(`floor: unexpected list source ${JSON.stringify(source)}`);
    await floorDb.db.transaction(async (tx) => {
      const t0 = performance.now();
      await lockUnitLists(tx, unit);
      lockWaits.push(performance.now() - t0);
      await ineligibleFiles(tx, { unit, cutoff });
      const u = floorUnits.get(unit) as NonNullable<ReturnType<typeof floorUnits.get>>;
      if (u.next + FLOOR_CAPACITY > u.ids.length) {
        await tx.execute(drizzleSql`update control_lists set status = 'closed', closed_at = now() where unit = ${unit} and created_by = ${FLOOR_ACTOR.id} and status = 'open'`);
        u.next = 0;
        recycles++;
      }
      const from = u.next;
      u.next += FLOOR_CAPACITY;
      const id = randomUUID();
      const seed = randomInt(0, 2 ** 31 - 1);
      const nEligible = u.ids.length - from;
      const params = {
        capacity: FLOOR_CAPACITY,
        explorationShare: 0.1,
        exclusionDays: 365,
        excludedControlledSince: cutoff,
        ranking: "risk",
        filters: {},
        nEligible,
        nModel: FLOOR_CAPACITY - FLOOR_EXPLORE,
        nExplore: FLOOR_EXPLORE,
      };
      const items = Array.from({ length: FLOOR_CAPACITY }, (_, i) => ({
        fileId: u.ids[from + i],
        position: i + 1,
        score: u.scores[from + i],
        selectedBy: i % 10 === 9 ? ("exploration" as const) : ("model" as const),
        selectionProbability: i % 10 === 9 ? FLOOR_EXPLORE / (nEligible - (FLOOR_CAPACITY - FLOOR_EXPLORE)) : 1,
      }));
      const stored = await insertControlList(tx, { id, unit, runId, modelId, seed, params, createdBy: FLOOR_ACTOR.id, items });
      if (!stored) throw new Error("floor: a file left its unit");
      await appendAuditEvent(tx, {
        actor: FLOOR_ACTOR,
        action: "control_list.create",
        target: id,
        details: { unit, runId, modelId, seed, files: FLOOR_CAPACITY, ...params },
        requestId: randomUUID(),
      });
    });
  };
  let turn = unitTurn;
  const rows0 = scoredRows;
  const account = cpuAccount();
  const started = performance.now();
  const end = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await storeOne(UNITS[turn++ % N_UNITS]);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = await account(latencies.length);
  await floorDb.close();
  for (const sample of [latencies, lockWaits]) sample.sort((a, b) => a - b);
  return {
    phase: `floor-create-sql-${connections}-clients`,
    connections,
    durationS,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsedS),
    p50Ms: at(latencies, 0.5),
    p99Ms: at(latencies, 0.99),
    maxMs: at(latencies, 1),
    lockWaitP50Ms: at(lockWaits, 0.5),
    lockWaitP99Ms: at(lockWaits, 0.99),
    recycles,
    scoringRowsPerSecond: Math.round((scoredRows - rows0) / elapsedS),
    ...cpu,
  };
}
const createFloors = [await floorCreateSql(1, 5), await floorCreateSql(50, Number(args.duration)), await floorCreateSql(100, 10)];
for (const f of createFloors) emit(f);
t = performance.now();
await sql`delete from control_list_items where list_id in (select id from control_lists where created_by = ${FLOOR_ACTOR.id})`;
await sql`delete from control_lists where created_by = ${FLOOR_ACTOR.id}`;
await sql`vacuum analyze control_list_items, control_lists`;
emit({ phase: "floor-cleanup", ms: Math.round(performance.now() - t) });

const created = await load({
  url: base,
  connections: 50,
  duration: Number(args.duration),
  requests: [
    {
      method: "POST",
      path: "/v1/control-lists",
      headers: auth,
      setupRequest: (req: LoadRequest) => ({ ...req, body: JSON.stringify({ unit: UNITS[unitTurn++ % N_UNITS], capacity: 50 }) }),
    },
  ],
});
emit(summarize("create", created, null));

const created100 = await load({
  url: base,
  connections: 100,
  duration: 10,
  requests: [
    {
      method: "POST",
      path: "/v1/control-lists",
      headers: auth,
      setupRequest: (req: LoadRequest) => ({ ...req, body: JSON.stringify({ unit: UNITS[unitTurn++ % N_UNITS], capacity: 50 }) }),
    },
  ],
});
emit(summarize("create-100-clients", created100, null));

const ids = (await sql<{ id: string }[]>`select id from control_lists order by created_at desc limit 5000`).map((r) => r.id);
let idTurn = 0;
const readOne = await load({
  url: base,
  connections: 1,
  duration: 5,
  requests: [{ method: "GET", path: `/v1/control-lists/${ids[0]}`, headers: auth, setupRequest: (req: LoadRequest) => ({ ...req, path: `/v1/control-lists/${ids[idTurn++ % ids.length]}` }) }],
});
emit(summarize("read-1-client", readOne, null));

const read = await load({
  url: base,
  connections: 100,
  duration: Number(args["read-duration"]),
  requests: [{ method: "GET", path: `/v1/control-lists/${ids[0]}`, headers: auth, setupRequest: (req: LoadRequest) => ({ ...req, path: `/v1/control-lists/${ids[idTurn++ % ids.length]}` }) }],
});
emit(summarize("read", read, null));

const read50 = await load({
  url: base,
  connections: 50,
  duration: 10,
  requests: [{ method: "GET", path: `/v1/control-lists/${ids[0]}`, headers: auth, setupRequest: (req: LoadRequest) => ({ ...req, path: `/v1/control-lists/${ids[idTurn++ % ids.length]}` }) }],
});
emit(summarize("read-50-clients", read50, null));

// Floor of the read target: the database work of a read, from this process with postgres.js and
// no HTTP: the service's read statement (the list and its items as one JSON row) and its
// control_list.read event appended to the chain with the service's own group commit (one
// append statement per batch of concurrent reads, committed synchronously).
async function floorReadSql(connections: number, durationS: number) {
  const floorDb = await openDatabase({ url, maxConnections: 10 });
  const latencies: number[] = [];
  const account = cpuAccount();
  const started = performance.now();
  const end = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const id = ids[idTurn++ % ids.length];
        const t0 = performance.now();
        await findActiveKey(floorDb.db, inspector);
        const { list, items } = await getControlListWithItems(floorDb.db, id);
        await appendAuditEventAlone(floorDb, {
          actor: FLOOR_ACTOR,
          action: "control_list.read",
          target: id,
          details: { unit: list.unit, files: items.length, runId: list.runId, seed: list.seed, params: list.params },
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = await account(latencies.length);
  await floorDb.close();
  latencies.sort((a, b) => a - b);
  return {
    phase: `floor-read-sql-${connections}-clients`,
    connections,
    durationS,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsedS),
    p50Ms: at(latencies, 0.5),
    p99Ms: at(latencies, 0.99),
    maxMs: at(latencies, 1),
    ...cpu,
  };
}
const readFloors = [await floorReadSql(1, 5), await floorReadSql(100, 10)];
for (const f of readFloors) emit(f);

// The same reads without the audit append: GET /:id/summary is not an audit event, so the gap
// between this phase and "read" is the cost of writing every read to the hash chain.
const unaudited = await load({
  url: base,
  connections: 100,
  duration: 10,
  requests: [{ method: "GET", path: `/v1/control-lists/${ids[0]}/summary`, headers: auth, setupRequest: (req: LoadRequest) => ({ ...req, path: `/v1/control-lists/${ids[idTurn++ % ids.length]}/summary` }) }],
});
emit(summarize("read-summary-unaudited", unaudited, null));

// The ratios, from this run's own phases and floors.
const ratio = (service: number, floorMs: number) => Math.round((service / floorMs) * 100) / 100;
emit({
  phase: "targets",
  create1P99Ms: createOne.result.latency.p99,
  read1P99Ms: readOne.result.latency.p99,
  oneClientUnder25Ms: createOne.result.latency.p99 < 25 && readOne.result.latency.p99 < 25,
  create50VsFloor: ratio(created.result.latency.p99, createFloors[1].p99Ms),
  create100VsFloor: ratio(created100.result.latency.p99, createFloors[2].p99Ms),
  createWithin1_5x: created.result.latency.p99 <= 1.5 * createFloors[1].p99Ms && created100.result.latency.p99 <= 1.5 * createFloors[2].p99Ms,
  read100VsFloor: ratio(read.result.latency.p99, readFloors[1].p99Ms),
  readWithin2x: read.result.latency.p99 <= 2 * readFloors[1].p99Ms,
});

scoringStop = true;
await scoring;
const [{ n: openItems }] = await sql<{ n: number }[]>`select count(*)::int as n from control_list_items`;
emit({ phase: "end", lists: ids.length, itemsOnOpenLists: openItems, scoringRowsWritten: scoredRows, scoringRate: args["no-scoring"] ? 0 : scoringRate });

server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
await sql.end();
if (!args.keep) await admin.unsafe(`drop database if exists ${dbName} with (force)`);
await admin.end();
