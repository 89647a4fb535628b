import { QueueEvents } from "bullmq";
import { runIdOfJobId } from "../../jobs/scoring.js";
import { QUEUE } from "../../jobs/queues.js";
import { failScoringRun } from "../db/queries/scoring-runs.js";
import type { WorkerDeps } from "./deps.js";

/**
 * Fails a scoring run when one of its jobs fails in a way its processor never sees: a chunk that
 * stalled more than maxStalledCount times (its workers kept dying) is moved to failed by BullMQ's
 * stall checker, and failParentOnFailure then fails the finalize job, without calling either
 * processor. QueueEvents reports every final failure of the queue; failScoringRun only changes a
 * queued or running run, so the processor's own call, or N worker processes hearing the same
 * event, change it (and audit it) once.
 */
export function watchScoringFailures(deps: WorkerDeps): { close(): Promise<void> } {
  const events = new QueueEvents(QUEUE.scoring, { connection: deps.connection.duplicate(), prefix: deps.config.QUEUE_PREFIX });
  const log = deps.logger.child({ queue: QUEUE.scoring, component: "scoring-failures" });
  events.on("error", (err) => log.error({ err }, "queue events error"));
  events.on("failed", ({ jobId, failedReason }) => {
    const runId = runIdOfJobId(jobId);
    if (!runId) return;
    failScoringRun(deps.database.db, runId, `job ${jobId} failed: ${failedReason}`).catch((err) =>
      log.error({ err, runId }, "could not mark the run failed"),
    );
  });
  return { close: () => events.close() };
}
