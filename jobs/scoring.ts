import type { FlowJob, FlowProducer } from "bullmq";
import { z } from "zod";
import { QUEUE } from "./queues.js";
import { CausingRequestId } from "./training.js";

/**
 * A scoring run is one BullMQ flow on the `scoring` queue: a `finalize-run` parent and one
 * `score-chunk` child per keyset range of files (scoring_chunks rows, planned when the run is
 * created). Children run on any worker of any machine; the parent runs once all have completed.
 */
export const SCORE_CHUNK = "score-chunk";
export const FINALIZE_RUN = "finalize-run";

export const ScoreChunkPayload = z.object({ runId: z.string().uuid(), chunkNo: z.number().int().min(0) });
export type ScoreChunkPayload = z.infer<typeof ScoreChunkPayload>;

/** requestId: the request that created or resumed the run, quoted by its scoring_run.complete event. */
export const FinalizeRunPayload = z.object({ runId: z.string().uuid(), requestId: CausingRequestId });
export type FinalizeRunPayload = z.infer<typeof FinalizeRunPayload>;

/** What a chunk job returns (the parent may read it with getChildrenValues). */
export const ScoreChunkResult = z.object({
  chunkNo: z.number().int(),
  n: z.number().int(),
  digest: z.string().nullable(),
  skipped: z.enum(["done", "cancelled"]).optional(),
});
export type ScoreChunkResult = z.infer<typeof ScoreChunkResult>;

/**
 * Job ids are deterministic (a repeated add is ignored by BullMQ) and carry the run's attempt, so
 * a resumed run gets fresh ids while the finished jobs of the earlier attempt stay inspectable.
 * No `:` and never all digits (bullmq guide/jobs/job-ids).
 */
export const chunkJobId = (runId: string, attempt: number, chunkNo: number): string =>
  `run-${runId}-a${attempt}-chunk-${chunkNo}`;
export const finalizeJobId = (runId: string, attempt: number): string => `run-${runId}-a${attempt}-finalize`;

const RUN_JOB_ID = /^run-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-a\d+-(?:chunk-\d+|finalize)$/;

/** The run a scoring job id belongs to (the inverse of chunkJobId/finalizeJobId), or null. */
export const runIdOfJobId = (jobId: string): string | null => RUN_JOB_ID.exec(jobId)?.[1] ?? null;

/**
 * Chunks retry with backoff on transient errors (a lost Postgres connection, a lock timeout); the
 * write is idempotent, so a retry never duplicates. Each child fails its parent after its last
 * attempt, so the run does not wait forever (bullmq guide/flows/fail-parent).
 */
export const CHUNK_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 1_000 },
  failParentOnFailure: true,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
} as const;

const FINALIZE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
} as const;

/**
 * Adds a run atomically (one MULTI in Redis): the parent and one child per chunk number given.
 * A resume passes only the unfinished chunks and the next attempt number.
 */
export async function addScoringFlow(flows: FlowProducer, input: { runId: string; attempt: number; chunkNos: number[]; requestId?: string }) {
  const parent = FinalizeRunPayload.parse({ runId: input.runId, requestId: input.requestId });
  const children: FlowJob[] = input.chunkNos.map((chunkNo) => ({
    name: SCORE_CHUNK,
    queueName: QUEUE.scoring,
    data: ScoreChunkPayload.parse({ runId: input.runId, chunkNo }),
    opts: { ...CHUNK_JOB_OPTIONS, jobId: chunkJobId(input.runId, input.attempt, chunkNo) },
  }));
  return flows.add({
    name: FINALIZE_RUN,
    queueName: QUEUE.scoring,
    data: parent,
    opts: { ...FINALIZE_JOB_OPTIONS, jobId: finalizeJobId(input.runId, input.attempt) },
    children,
  });
}
