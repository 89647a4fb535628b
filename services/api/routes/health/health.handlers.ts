import { sql } from "drizzle-orm";
import type { AppRouteHandler } from "../../types.js";
import type { HealthzRoute, ReadyzRoute } from "./health.routes.js";

const READY_TIMEOUT_MS = 2000;

async function timed(check: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), detail: (error as Error).message };
  }
}

export const healthz: AppRouteHandler<HealthzRoute> = (c) => c.json({ status: "ok" as const }, 200);

export const readyz: AppRouteHandler<ReadyzRoute> = async (c) => {
  const deps = c.get("deps");
  const [postgres, redis] = await Promise.all([
    timed(() => deps.database.db.execute(sql`select 1`)),
    timed(() => deps.redis.ping()),
  ]);
  const backend = deps.tfjsBackend();
  const tfjs = backend ? { ok: true, backend } : { ok: false, backend: null, detail: "tfjs backend not loaded yet" };
  const ready = postgres.ok && redis.ok && tfjs.ok;
  const body = {
    status: ready ? ("ready" as const) : ("not_ready" as const),
    checks: { postgres: { ...postgres, driver: deps.database.driver }, redis, tfjs },
  };
  return ready ? c.json(body, 200) : c.json(body, 503);
};
