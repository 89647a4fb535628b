import { QueueEvents } from "bullmq";
import type { QueueName } from "../../jobs/queues.js";
import type { TestContext } from "./app.js";

/** One BullMQ event of a job, as QueueEvents reports it. */
export interface JobEvent {
  event: "active" | "progress" | "completed" | "failed" | "removed";
  jobId: string;
  /** progress: what the processor passed to job.updateProgress. */
  data?: unknown;
  /** completed: what the processor returned. */
  returnvalue?: unknown;
  /** failed: the reason of the final failure (retries are not failures). */
  failedReason?: string;
}

const EVENTS: JobEvent["event"][] = ["active", "progress", "completed", "failed", "removed"];

/**
 * The one way tests wait on a worker: resolves with the first event of `queue`, under the
 * context's own BullMQ prefix, that `match` accepts, and calls `seen` with every event before it.
 * It reads the queue's event stream from its start (lastEventId "0"), not from the moment it
 * connects, so an event published before the call (a job that finished first) is found too: no
 * race, no sleep, no polling. Each context has a fresh prefix, so the stream holds only its own
 * jobs' events. Rejects after `timeoutMs` naming the last events seen.
 */
export async function waitForJobEvent(
  ctx: Pick<TestContext, "redis" | "queues">,
  queue: QueueName,
  match: (e: JobEvent) => boolean,
  { timeoutMs = 90_000, seen = () => {} }: { timeoutMs?: number; seen?: (e: JobEvent) => void } = {},
): Promise<JobEvent> {
  const events = new QueueEvents(queue, { connection: ctx.redis.duplicate(), prefix: ctx.queues.prefix, lastEventId: "0" });
  const last: JobEvent[] = [];
  try {
    return await new Promise<JobEvent>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching ${queue} event in ${timeoutMs} ms; last seen: ${JSON.stringify(last.slice(-5))}`)),
        timeoutMs,
      );
      events.on("error", reject);
      for (const event of EVENTS) {
        events.on(event, (args: Record<string, unknown>) => {
          const e = { ...args, event, jobId: String(args.jobId) } as JobEvent;
          last.push(e);
          if (match(e)) {
            clearTimeout(timer);
            resolve(e);
          } else seen(e);
        });
      }
    });
  } finally {
    await events.close();
  }
}

/**
 * Waits until the job `jobId` has ended: completed, failed after its last attempt, or removed
 * before it started. Returns that event (its returnvalue or failedReason).
 */
export const jobEnded = (
  ctx: Pick<TestContext, "redis" | "queues">,
  queue: QueueName,
  jobId: string,
  opts: { timeoutMs?: number; seen?: (e: JobEvent) => void } = {},
) => waitForJobEvent(ctx, queue, (e) => e.jobId === jobId && (e.event === "completed" || e.event === "failed" || e.event === "removed"), opts);
