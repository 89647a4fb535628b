import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { DomainError } from "../errors.js";
import type { Queues } from "../../jobs/queues.js";
import { queryRows, type Db } from "../db/client.js";

/**
 * Prometheus metrics of one API process (prom-client), served at /metrics when METRICS_TOKEN is
 * set, to callers that send it as a bearer token. Request latencies are observed here; what lives
 * in Redis and Postgres (queue depths, job durations of every worker process, the active model, the
 * audit chain's length, the last scoring run's speed) is read at scrape time, so the figures are
 * the same whichever API process is scraped.
 */
export interface ServiceMetrics {
  registry: Registry;
  middleware: MiddlewareHandler;
  /** Counts rows an import wrote, for rows-per-second rates (rate(cts_import_rows_total[5m])). */
  importRows: Counter<"kind">;
}

const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;
/** Jobs per queue whose durations are summarized at each scrape. */
const RECENT_JOBS = 200;

export function createMetrics(deps: { db: Db; queues: Queues }): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cts_" });
  const httpDuration = new Histogram({
    name: "cts_http_request_duration_seconds",
    help: "HTTP request latency by route (the matched pattern) and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const importRows = new Counter({
    name: "cts_import_rows_total",
    help: "Rows written by imports of this process, by kind (files, outcomes)",
    labelNames: ["kind"],
    registers: [registry],
  });
  new Gauge({
    name: "cts_queue_jobs",
    help: "Jobs in each BullMQ queue, by state",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const queue of [deps.queues.training, deps.queues.scoring, deps.queues.diagnostics]) {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "cts_job_duration_seconds",
    help: `Duration of the last ${RECENT_JOBS} completed jobs of each queue (any worker process), by quantile`,
    labelNames: ["queue", "quantile"],
    registers: [registry],
    async collect() {
      for (const queue of [deps.queues.training, deps.queues.scoring]) {
        const jobs = await queue.getJobs(["completed"], 0, RECENT_JOBS - 1);
        const seconds = jobs
          .filter((j) => j.finishedOn && j.processedOn)
          .map((j) => ((j.finishedOn as number) - (j.processedOn as number)) / 1000)
          .sort((a, b) => a - b);
        for (const q of [0.5, 0.95, 1]) {
          if (seconds.length) this.set({ queue: queue.name, quantile: String(q) }, seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))]);
        }
      }
    },
  });
  new Gauge({
    name: "cts_active_model_info",
    help: "1 for the active model (label model_id); absent when none is active",
    labelNames: ["model_id"],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await queryRows<{ id: string }>(deps.db, sql`select id from models where status = 'active'`);
      for (const r of rows) this.set({ model_id: r.id }, 1);
    },
  });
  new Gauge({
    name: "cts_audit_chain_length",
    help: "Events in the audit hash chain",
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ n: string | number | null }>(deps.db, sql`select max(id) as n from audit_events`);
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: "cts_scoring_files_per_second",
    help: "Files per second of the latest completed scoring run (all its worker processes together)",
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ fps: string | null }>(
        deps.db,
        sql`select progress->>'filesPerSecond' as fps from scoring_runs where status = 'completed' order by finished_at desc nulls last limit 1`,
      );
      this.set(Number(row?.fps ?? 0));
    },
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const end = httpDuration.startTimer();
    await next();
    // The matched pattern (/v1/control-lists/:id), never the raw path: bounded label values.
    end({ method: c.req.method, route: routePath(c) || "unmatched", status: String(c.res.status) });
  };
  return { registry, middleware, importRows };
}

/** GET /metrics: off (404) unless METRICS_TOKEN is set; then only for that bearer token. */
export function metricsHandler(metrics: ServiceMetrics, token: string | undefined): MiddlewareHandler {
  return async (c) => {
    if (!token) throw new DomainError("not_found", "metrics are off: set METRICS_TOKEN to serve them");
    if (!timingSafeEqualText(c.req.header("authorization") ?? "", `Bearer ${token}`)) {
      throw new DomainError("unauthenticated", "send the metrics token: Authorization: Bearer <METRICS_TOKEN>");
    }
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  };
}

function timingSafeEqualText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
