import type { Queue } from "bullmq";
import { z } from "zod";

/**
 * train-model: the worker reads the labelled files of one model row, trains, evaluates against the
 * baselines and writes the artifact and metrics back to that row. Everything the job needs (cutoff,
 * split, seed, params) is stored on the model row, so the payload is its id (and the id of the request
 * that asked for it, which the model.trained or model.failed event quotes).
 */
export const TRAIN_MODEL = "train-model";

/** The id of the request that asked for the job, for the audit events the job appends. */
export const CausingRequestId = z.string().max(255).optional();

export const TrainModelPayload = z.object({ modelId: z.string().uuid(), requestId: CausingRequestId });
export type TrainModelPayload = z.infer<typeof TrainModelPayload>;

/**
 * One job per model, ever: BullMQ ignores an add whose id exists, so a retried POST or a
 * re-enqueue cannot start a second training. No `:` and never all digits (bullmq guide/jobs/job-ids).
 */
export const trainJobId = (modelId: string): string => `train-${modelId}`;

/**
 * Retries cover transient failures (Redis or Postgres restarts, a lost lock); data problems are
 * UnrecoverableError and fail at once. Finished jobs are kept briefly for `getJob` diagnostics.
 */
export const TRAIN_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
} as const;

/** Parses, then adds the job under its deterministic id (idempotent). */
export const enqueueTrainModel = (queue: Queue, payload: TrainModelPayload) => {
  const data = TrainModelPayload.parse(payload);
  return queue.add(TRAIN_MODEL, data, { ...TRAIN_JOB_OPTIONS, jobId: trainJobId(data.modelId) });
};

/** Removes the job if it has not started yet (a cancelled model must not start); true if removed. */
export const removeQueuedTraining = async (queue: Queue, modelId: string): Promise<boolean> => {
  const job = await queue.getJob(trainJobId(modelId));
  if (!job) return false;
  const state = await job.getState();
  if (state !== "waiting" && state !== "delayed" && state !== "prioritized") return false;
  try {
    await job.remove();
    return true;
  } catch {
    // Taken by a worker between getState and remove: the processor sees the cancelled row instead.
    return false;
  }
};
