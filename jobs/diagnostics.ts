import type { Queue } from "bullmq";
import { z } from "zod";

/**
 * probe-backend: a worker loads its tfjs backend in its CPU pool and multiplies two small
 * matrices. It shows, end to end, that jobs flow through Redis to a worker and that the worker's
 * CPU threads compute; `npm run cli -- workers probe` and the tests use it.
 */
export const PROBE_BACKEND = "probe-backend";

export const ProbeBackendPayload = z.object({ size: z.number().int().min(1).max(2048).default(64) });
export type ProbeBackendPayload = z.infer<typeof ProbeBackendPayload>;

export const ProbeBackendResult = z.object({
  backend: z.string(),
  checksum: z.number(),
  millis: z.number(),
  threadId: z.number().int(),
});
export type ProbeBackendResult = z.infer<typeof ProbeBackendResult>;

export const enqueueProbeBackend = (queue: Queue, payload: z.input<typeof ProbeBackendPayload>) =>
  queue.add(PROBE_BACKEND, ProbeBackendPayload.parse(payload), { removeOnComplete: 100, removeOnFail: 100 });
