import { type Processor, Worker, type WorkerOptions } from "bullmq";
import { QUEUE, type QueueName } from "../../jobs/queues.js";
import { type CpuPool, createCpuPool } from "./cpu-pool.js";
import type { WorkerDeps } from "./deps.js";
import { probeBackendProcessor } from "./processors/probe-backend.js";
import { trainModelProcessor } from "./processors/train-model.js";
import { scoringProcessor } from "./processors/scoring.js";
import { watchScoringFailures } from "./scoring-failures.js";

export type { WorkerDeps } from "./deps.js";

export interface RunningWorkers {
  workers: Worker[];
  pool: CpuPool;
  /** Stops taking jobs, waits for the running ones, then stops the CPU threads. */
  close(): Promise<void>;
}

/** Which processor serves which queue, and how many jobs of it a process runs at once. */
function processorTable(
  pool: CpuPool,
  deps: WorkerDeps,
): { queue: QueueName; processor: Processor; concurrency: number; options?: Partial<WorkerOptions> }[] {
  return [
    { queue: QUEUE.diagnostics, processor: probeBackendProcessor(pool), concurrency: 1 },
    // One training at a time per process: it takes a whole CPU thread for minutes.
    { queue: QUEUE.training, processor: trainModelProcessor(pool, deps), concurrency: 1 },
    // Two chunks per process overlap one chunk's database I/O with another's CPU work; a stalled
    // chunk (its worker died) is taken over after the stalled interval, and its write is idempotent.
    {
      queue: QUEUE.scoring,
      processor: scoringProcessor(pool, deps.database, deps.logger.child({ queue: QUEUE.scoring })),
      concurrency: deps.config.WORKER_CONCURRENCY,
      // A chunk's write is idempotent, so a chunk may stall (its worker died) a few times before it
      // fails; a stall failure skips the processor, which otherwise marks the run failed itself.
      options: {
        lockDuration: deps.config.SCORING_LOCK_MS,
        stalledInterval: deps.config.SCORING_STALLED_INTERVAL_MS,
        maxStalledCount: 3,
      },
    },
  ];
}

/**
 * Starts one BullMQ Worker per queue in this process, all sharing one CPU pool, once the pool's
 * threads are warm: a job taken by a cold thread would spend its lock time loading tfjs first.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const pool = createCpuPool({ threads: deps.config.WORKER_THREADS, tfjsBackend: deps.config.TFJS_BACKEND });
  await pool.warm();
  // Listening before any scoring job is taken, so no failure of this process's jobs goes unheard.
  const scoringFailures = await watchScoringFailures(deps);
  const workers = processorTable(pool, deps).map(({ queue, processor, concurrency, options }) => {
    const opts: WorkerOptions = {
      // Workers block on Redis: each needs its own connection (bullmq guide/connections).
      connection: deps.connection.duplicate(),
      prefix: deps.config.QUEUE_PREFIX,
      concurrency,
      ...options,
    };
    const worker = new Worker(queue, processor, opts);
    const log = deps.logger.child({ queue });
    // Without an error listener a Redis hiccup is an unhandled error (bullmq going-to-production).
    worker.on("error", (err) => log.error({ err }, "worker error"));
    worker.on("failed", (job, err) => log.warn({ jobId: job?.id, err: err.message }, "job failed"));
    worker.on("completed", (job) => log.debug({ jobId: job.id }, "job completed"));
    return worker;
  });
  return {
    workers,
    pool,
    close: async () => {
      await scoringFailures.close();
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(workers.map((w) => w.disconnect?.()));
      await pool.close();
    },
  };
}
