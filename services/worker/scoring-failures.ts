import { QueueEvents, QueueKeys } from "bullmq";
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
 *
 * Resolves once listening. QueueEvents alone starts from the stream's end as of its first XREAD,
 * which it issues some time after construction, so a failure published in between would be lost;
 * here it starts from the stream's last event read before this resolves, so every failure
 * published after it resolves is heard.
 */
export async function watchScoringFailures(deps: WorkerDeps): Promise<{ close(): Promise<void> }> {
  const prefix = deps.config.QUEUE_PREFIX;
  const stream = new QueueKeys(prefix).toKey(QUEUE.scoring, "events");
  const [last] = await deps.connection.xrevrange(stream, "+", "-", "COUNT", 1);
  // "0" (an empty or absent stream) reads every event from the first one on.
  const lastEventId = last?.[0] ?? "0";
  const events = new QueueEvents(QUEUE.scoring, { connection: deps.connection.duplicate(), prefix, lastEventId });
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
