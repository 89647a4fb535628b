import type { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { addScoringFlow } from "../../../../jobs/scoring.js";
import { appendAuditEvent } from "../../../db/queries/audit-events.js";
import { cancelScoringRun, dropRunScores, resumeScoringRun } from "../../../db/queries/scoring-run-actions.js";
import { createScoringRun } from "../../../db/queries/scoring-run-planning.js";
import { failScoringRun, getScoringRun, listScoringRuns } from "../../../db/queries/scoring-runs.js";
import { DomainError } from "../../../errors.js";
import type { AppDeps, AppRouteHandler } from "../../types.js";
import { readRunFairness } from "../../../db/queries/fairness.js";
import type {
  FairnessRoute,
  CancelRoute,
  CreateRoute,
  DropScoresRoute,
  EventsRoute,
  GetRoute,
  ListRoute,
  ResumeRoute,
} from "./scoring-runs.routes.js";
import { CreateScoringRunBody, toScoringRun } from "./scoring-runs.schemas.js";
import type { Actor } from "../../../auth/actor.js";

/** How often the event stream re-reads progress; a chunk takes seconds, so faster adds nothing. */
const EVENT_POLL_MS = 500;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** The flow goes to Redis after the run committed; if Redis refuses, the run fails visibly (resumable). */
async function enqueue(deps: AppDeps, runId: string, attempt: number, chunkNos: number[], requestId?: string) {
  try {
    await addScoringFlow(deps.queues.flows, { runId, attempt, chunkNos, requestId });
  } catch (error) {
    await failScoringRun(deps.database.db, runId, `could not enqueue: ${(error as Error).message}`);
    throw new DomainError("unavailable", `the job queue refused the run (${(error as Error).message}); resume it later`);
  }
}

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const run = await startScoringRun(c.get("deps"), c.req.valid("json"), c.get("actor"), c.get("requestId"));
  return c.json(toScoringRun(run), 202);
};

/** A run (with its audit event) and its flow of chunk jobs; shared by this route and the web app. */
export async function startScoringRun(deps: AppDeps, body: z.infer<typeof CreateScoringRunBody>, actor: Actor, requestId?: string) {
  const { run } = await createScoringRun(deps.database.db, body, actor, deps.config.SCORING_CHUNK_SIZE, requestId);
  await enqueue(deps, run.id, 1, Array.from({ length: run.totalChunks }, (_, i) => i), requestId);
  return run;
}

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const query = c.req.valid("query");
  const { db } = c.get("deps").database;
  const page = await listScoringRuns(db, { limit: query.limit, before: query.before ? new Date(query.before) : undefined });
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "scoring_run.list",
    details: { ...query, returned: page.items.length },
    requestId: c.get("requestId"),
  });
  return c.json({ items: page.items.map((r) => toScoringRun(r)), nextBefore: page.nextBefore?.toISOString() ?? null }, 200);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { run, progress } = await getScoringRun(c.get("deps").database.db, id);
  return c.json(toScoringRun(run, progress), 200);
};

export const events: AppRouteHandler<EventsRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { db } = c.get("deps").database;
  await getScoringRun(db, id);
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
    });
    let seq = 0;
    while (open) {
      const { run, progress } = await getScoringRun(db, id);
      const done = TERMINAL.has(run.status);
      await stream.writeSSE({ event: done ? "end" : "progress", id: String(seq++), data: JSON.stringify(toScoringRun(run, progress)) });
      if (done) break;
      await stream.sleep(EVENT_POLL_MS);
    }
  }) as never;
};

export const cancel: AppRouteHandler<CancelRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const run = await cancelScoringRun(c.get("deps").database.db, id, c.get("actor"), c.get("requestId"));
  return c.json(toScoringRun(run), 200);
};

export const resume: AppRouteHandler<ResumeRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const deps = c.get("deps");
  const { run, attempt, chunkNos } = await resumeScoringRun(deps.database.db, id, c.get("actor"), c.get("requestId"));
  await enqueue(deps, id, attempt, chunkNos, c.get("requestId"));
  return c.json(toScoringRun(run), 202);
};

export const dropScores: AppRouteHandler<DropScoresRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const result = await dropRunScores(c.get("deps").database.db, id, c.get("actor"), c.get("requestId"));
  return c.json(result, 200);
};

export const fairness: AppRouteHandler<FairnessRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { capacity, reference } = c.req.valid("query");
  const result = await readRunFairness(c.get("deps").database, id, { capacity, reference }, c.get("actor"), { requestId: c.get("requestId") });
  return c.json({ ...result, population: "scoring-run" as const }, 200);
};
