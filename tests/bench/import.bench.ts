/**
 * `npm run bench -- import [--files N]`: the CSV import against a real Postgres (DESIGN.md targets:
 * at least 50,000 rows/s, within 3x of a raw COPY of the same CSV, server RSS under 400 MB).
 *
 * - Starts the real HTTP server (`services/main.ts --role api`) as a child process on a fresh database
 *   `cts_bench_<random>` on 127.0.0.1:5432 (user postgres, trust), so its memory is its own: the peak
 *   RSS is the child's VmHWM from /proc/<pid>/status (Linux), read after each import.
 * - Generates the demo population (data/demo, seed 1; cached under the OS temp dir) and POSTs
 *   files.csv streamed, with ?mode=all-or-nothing. The outcomes benchmark needs 1,000,000 controls,
 *   about seven times what a million demo files have: outcomes.csv is repeated with every date moved
 *   back eight years per pass (still real files, past dates, no identical rows).
 * - The floor (the issue's): the same CSV COPYed (client-side stream, format csv) into a plain table
 *   with one typed column per CSV column and no index, on the same database in the same run.
 * - The storage floor: what storing the same rows costs with no parsing, validation or check at all.
 *   The rows the import stored are COPYed out (binary) to a temporary file and COPYed back, timed,
 *   into an empty table of the service's shape (`like files including all`: its indexes, defaults
 *   and constraints; files get their attributes as jsonb, as DESIGN.md fixes). For outcomes the CSV
 *   is COPYed as is into `like outcomes including all`. It shows how much of the ratio the table
 *   shape alone takes, and `overhead` how much the import adds on top of it.
 * Every timed step (import, floor, storage floor) starts after a CHECKPOINT, so none pays for the
 * previous one's dirty pages.
 *
 * Prints one JSON line per import: {bench, rows, seconds, rowsPerSec, serverPeakRssMb, floorSeconds,
 * ratio, storageFloorSeconds, storageRatio, overhead}.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { readFile, rename, rm, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { demoSchema } from "../../data/demo/schema.js";
import { writeDemoPopulation } from "../../data/demo/write-csv.js";

const { values } = parseArgs({ options: { files: { type: "string", default: "1000000" }, outcomes: { type: "string", default: "1000000" } } });
const FILES = Number(values.files);
const OUTCOMES = Number(values.outcomes);
const ROOT = resolve(import.meta.dirname, "../..");
const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const SEED = 1;

const log = (message: string) => process.stderr.write(`[import bench] ${message}\n`);

async function demoData(): Promise<{ files: string; outcomes: string }> {
  const dir = join(tmpdir(), `cts-bench-demo-${FILES}-seed${SEED}`);
  const done = join(dir, ".complete");
  if (!existsSync(done)) {
    log(`generating ${FILES} demo files in ${dir}`);
    await writeDemoPopulation(dir, { files: FILES, seed: SEED });
    await pipeline(Readable.from(["ok\n"]), createWriteStream(done));
  }
  return { files: join(dir, "files.csv"), outcomes: join(dir, "outcomes.csv") };
}

/** outcomes.csv repeated, each pass eight years earlier, cut at `count` rows (header once). */
async function manyOutcomes(source: string, count: number): Promise<string> {
  const target = `${source.replace(/\.csv$/, "")}-${count}.csv`;
  if (existsSync(target)) return target;
  const text = await readFile(source, "utf8");
  const [header, ...lines] = text.trimEnd().split("\n");
  if (lines.length === 0) throw new Error("the demo population has no outcomes");
  async function* rows() {
    yield `${header}\n`;
    let written = 0;
    for (let pass = 0; written < count; pass += 1) {
      let block = "";
      for (const line of lines) {
        if (written >= count) break;
        // file_id,controlled_at,…: 8 years back per pass (a multiple of 4 keeps Feb 29 valid; 2021-2025 never overlaps).
        const comma = line.indexOf(",");
        const year = Number(line.slice(comma + 1, comma + 5)) - 8 * pass;
        block += `${line.slice(0, comma + 1)}${year}${line.slice(comma + 5)}\n`;
        written += 1;
      }
      yield block;
    }
  }
  await pipeline(Readable.from(rows()), createWriteStream(`${target}.tmp`));
  await rename(`${target}.tmp`, target);
  return target;
}

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

async function startServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string; adminKey: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "services/main.ts", "--role", "api"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DEMO_FILES: "0",
      QUEUE_PREFIX: `bench-${process.pid}`,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1800; i += 1) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${out}`);
    const key = /(cts_[A-Za-z0-9_-]+)/.exec(out)?.[1];
    if (key) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return { child, url, adminKey: key };
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not start:\n${out}`);
}

/** Peak resident set of a process in MB (VmHWM, Linux). */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

async function call(url: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

async function postCsv(url: string, key: string, path: string, file: string) {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
    body: Readable.toWeb(createReadStream(file, { highWaterMark: 256 * 1024 })) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const body = (await res.json()) as Record<string, unknown>;
  const seconds = (performance.now() - started) / 1000;
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(body).slice(0, 2000)}`);
  return { body, seconds };
}

/** COPY of the CSV file as is into a plain typed table, streamed from this process. */
async function copyFloor(sql: postgres.Sql, table: string, columns: string, file: string): Promise<number> {
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.unsafe(`create table ${table} (${columns})`);
  await sql.unsafe("checkpoint");
  const started = performance.now();
  const target = await sql.unsafe(`copy ${table} from stdin with (format csv, header true)`).writable();
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), target);
  const seconds = (performance.now() - started) / 1000;
  await sql.unsafe(`drop table ${table}`);
  return seconds;
}

/**
 * The storage floor: `rows` (a COPY-format file, or the CSV) COPYed into an empty table shaped like
 * `table` (`like … including all`: indexes, defaults, identity, check constraints; no triggers).
 */
async function copyStorageFloor(sql: postgres.Sql, table: "files" | "outcomes", copyInto: string, file: string): Promise<number> {
  const shaped = `floor_${table}_shape`;
  await sql.unsafe(`drop table if exists ${shaped}`);
  await sql.unsafe(`create table ${shaped} (like ${table} including all)`);
  // recorded_by is the importing actor, set by the service, not in the CSV.
  if (table === "outcomes") await sql.unsafe(`alter table ${shaped} alter column recorded_by set default 'bench'`);
  await sql.unsafe("checkpoint");
  const started = performance.now();
  const target = await sql.unsafe(`copy ${shaped} ${copyInto}`).writable();
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), target);
  const seconds = (performance.now() - started) / 1000;
  await sql.unsafe(`drop table ${shaped}`);
  return seconds;
}

/**
 * The stored files as COPY binary (id, unit, attributes), the rows the files storage floor writes
 * again. On a connection of its own: after a COPY TO stream, postgres.js never answered the next
 * query on the same connection.
 */
async function dumpStoredFiles(databaseUrl: string, file: string): Promise<void> {
  const own = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const source = await own.unsafe("copy (select id, unit, attributes from files) to stdout with (format binary)").readable();
    await pipeline(source, createWriteStream(file));
  } finally {
    await own.end({ timeout: 5 });
  }
}

const SQL_TYPE = { numeric: "double precision", categorical: "text", boolean: "boolean", date: "date" } as const;

async function main() {
  const data = await demoData();
  const outcomesFile = await manyOutcomes(data.outcomes, OUTCOMES);
  const dbName = `cts_bench_${Date.now().toString(36)}`;
  const admin = postgres(PG_ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const databaseUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    server = await startServer(databaseUrl);
    const { url, child } = server;
    const officer = (await call(url, server.adminKey, "POST", "/v1/api-keys", { role: "data_officer", name: "bench" })).key as string;
    await call(url, officer, "PUT", "/v1/schema", demoSchema());

    const fileColumns = [
      "id text",
      "unit text",
      ...demoSchema().attributes.map((a) => `${a.name} ${SQL_TYPE[a.type]}`),
    ].join(", ");
    const outcomeColumns =
      "file_id text, controlled_at date, outcome smallint, amount double precision, selected_by text, selection_probability double precision, inspector text";

    const storedFiles = join(tmpdir(), `${dbName}-files.bin`);
    const runs = [
      {
        bench: "import-files",
        path: "/v1/files/import",
        file: data.files,
        floor: ["floor_files", fileColumns],
        storageFloor: async () => {
          await dumpStoredFiles(databaseUrl, storedFiles);
          return copyStorageFloor(sql, "files", "(id, unit, attributes) from stdin with (format binary)", storedFiles);
        },
      },
      {
        bench: "import-outcomes",
        path: "/v1/outcomes/import",
        file: outcomesFile,
        floor: ["floor_outcomes", outcomeColumns],
        storageFloor: () =>
          copyStorageFloor(
            sql,
            "outcomes",
            "(file_id, controlled_at, outcome, amount, selected_by, selection_probability, inspector) from stdin with (format csv, header true)",
            outcomesFile,
          ),
      },
    ] as const;
    for (const run of runs) {
      const mb = Math.round((await stat(run.file)).size / 1e6);
      log(`${run.bench}: POST ${run.file} (${mb} MB)`);
      await sql.unsafe("checkpoint");
      const { body, seconds } = await postCsv(url, officer, run.path, run.file);
      const serverPeakRssMb = await peakRssMb(child.pid as number);
      log(`${run.bench}: ${JSON.stringify(body).slice(0, 300)}`);
      const floorSeconds = await copyFloor(sql, run.floor[0], run.floor[1], run.file);
      const storageFloorSeconds = await run.storageFloor();
      await rm(storedFiles, { force: true });
      const rows = body.rows as number;
      console.log(
        JSON.stringify({
          bench: run.bench,
          rows,
          seconds: round(seconds),
          rowsPerSec: Math.round(rows / seconds),
          serverPeakRssMb,
          floorSeconds: round(floorSeconds),
          ratio: round(seconds / floorSeconds),
          storageFloorSeconds: round(storageFloorSeconds),
          storageRatio: round(storageFloorSeconds / floorSeconds),
          overhead: round(seconds / storageFloorSeconds),
          inserted: body.inserted,
          megabytes: mb,
        }),
      );
    }
  } finally {
    if (server) {
      server.child.kill("SIGTERM");
      await Promise.race([once(server.child, "exit"), new Promise((r) => setTimeout(r, 10_000))]);
    }
    await sql.end();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

await main();
