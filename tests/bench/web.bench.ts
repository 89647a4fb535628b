/**
 * Web pages against the JSON they stand beside (`npm run bench -- web [--items N] [--requests N]`).
 * A fresh database on the real Postgres with one unit of scored files, the real app in process
 * (`app.request`: server time only, no socket), the real Redis for its queues. Measures, with the
 * requests of both kinds interleaved so they share the machine's state:
 *   - the list page (`/app/lists/:id`, signed in as the unit's inspector) against the list as
 *     JSON (`GET /v1/control-lists/:id`, same inspector, same audit event per read), for a list
 *     of 500 items;
 *   - a model's evaluation page (`/app/models/:id`: verdict table, ROC, PR and gains curves as
 *     SVG) against `GET /v1/models/:id`, for a model with a 2,000-row validation report.
 * Prints one JSON line per pair: p50/p95 ms of each and the ratio page / JSON (target: within 3x).
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createRedis } from "../../jobs/connection.js";
import { createQueues } from "../../jobs/queues.js";
import { createApp } from "../../services/api/app.js";
import { SYSTEM_ACTOR } from "../../services/auth/actor.js";
import { parseConfig } from "../../services/config.js";
import { migrateDatabase, openDatabase } from "../../services/db/client.js";
import { createApiKey } from "../../services/db/queries/api-keys.js";
import { createLogger } from "../../services/logger.js";
import { insertEvaluatedModel } from "../helpers/evidence.js";
import { buildScoredPopulation } from "../helpers/scored-population.js";

const { values: args } = parseArgs({
  options: {
    items: { type: "string", default: "500" },
    requests: { type: "string", default: "200" },
    "pg-admin": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
  },
});
const ITEMS = Number(args.items);
const REQUESTS = Number(args.requests);

const admin = postgres(args["pg-admin"] as string, { max: 1, onnotice: () => {} });
const dbName = `cts_bench_web_${randomUUID().slice(0, 8)}`;
await admin.unsafe(`create database ${dbName}`);
const database = await openDatabase({ url: (args["pg-admin"] as string).replace(/\/[^/]*$/, `/${dbName}`), maxConnections: 10 });
await migrateDatabase(database);
const keyFile = join(mkdtempSync(join(tmpdir(), "cts-bench-")), "key.pem");
writeFileSync(keyFile, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
const prefix = `bench-web-${randomUUID()}`;
const config = parseConfig({ NODE_ENV: "production", LOG_LEVEL: "silent", QUEUE_PREFIX: prefix, AUDIT_SIGNING_KEY_FILE: keyFile });
const redis = createRedis(args.redis as string);
const queues = createQueues(redis, prefix);
const app = createApp({ database, redis, queues, config, logger: createLogger("silent"), tfjsBackend: () => "cpu" });

try {
  await buildScoredPopulation(database.db, { units: { north: ITEMS * 4 } });
  const key = (await createApiKey(database.db, { role: "inspector", units: ["north"], name: "bench inspector" }, SYSTEM_ACTOR)).key;
  const officer = (await createApiKey(database.db, { role: "data_officer", units: [], name: "bench officer" }, SYSTEM_ACTOR)).key;
  const created = await app.request("/v1/control-lists", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ unit: "north", capacity: ITEMS }),
  });
  const listId = ((await created.json()) as { id: string }).id;
  const modelId = await insertEvaluatedModel(database.db, { trainedBy: "bench" });
  const inspectorCookie = await signIn(key);
  const officerCookie = await signIn(officer);

  await compare("list", { path: `/v1/control-lists/${listId}`, headers: { authorization: `Bearer ${key}` } }, { path: `/app/lists/${listId}`, headers: { cookie: inspectorCookie } });
  await compare("model", { path: `/v1/models/${modelId}`, headers: { authorization: `Bearer ${officer}` } }, { path: `/app/models/${modelId}`, headers: { cookie: officerCookie } });
} finally {
  await queues.close();
  await redis.quit();
  await database.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}

/** The sign-in form, as a browser posts it; returns the session cookie. */
async function signIn(key: string): Promise<string> {
  const form = await app.request("/app/sign-in");
  const pre = form.headers.getSetCookie()[0].split(";")[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const res = await app.request("/app/sign-in", {
    method: "POST",
    headers: { cookie: pre, origin: "http://localhost", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: token, key }),
  });
  return res.headers.getSetCookie().find((c) => c.startsWith("cts_session="))?.split(";")[0] ?? "";
}

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
function round(x: number) {
  return Math.round(x * 100) / 100;
}

async function timed(req: { path: string; headers: Record<string, string> }): Promise<number> {
  const t0 = performance.now();
  const res = await app.request(req.path, { headers: req.headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${req.path}: ${res.status}`);
  return performance.now() - t0;
}

async function compare(name: string, json: { path: string; headers: Record<string, string> }, page: { path: string; headers: Record<string, string> }) {
  for (let i = 0; i < 20; i++) await Promise.all([timed(json), timed(page)]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    a.push(await timed(json));
    b.push(await timed(page));
  }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  const [jp50, jp95, pp50, pp95] = [quantile(a, 0.5), quantile(a, 0.95), quantile(b, 0.5), quantile(b, 0.95)];
  console.log(
    JSON.stringify({
      bench: `web-${name}`,
      items: name === "list" ? ITEMS : undefined,
      requests: REQUESTS,
      json: { path: json.path.replace(/[0-9a-f-]{36}/, ":id"), p50: round(jp50), p95: round(jp95) },
      page: { path: page.path.replace(/[0-9a-f-]{36}/, ":id"), p50: round(pp50), p95: round(pp95) },
      ratioP50: round(pp50 / jp50),
      ratioP95: round(pp95 / jp95),
      target: "page within 3x of the JSON",
      met: pp50 / jp50 <= 3 && pp95 / jp95 <= 3,
    }),
  );
}
