import { type Job, UnrecoverableError } from "bullmq";
import { ProbeBackendPayload, type ProbeBackendResult } from "../../../jobs/diagnostics.js";
import type { CpuPool } from "../cpu-pool.js";

/** Validates the payload (a bad one never retries) and runs the probe in the CPU pool. */
export function probeBackendProcessor(pool: CpuPool) {
  return async (job: Job): Promise<ProbeBackendResult> => {
    const parsed = ProbeBackendPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid probe-backend payload: ${parsed.error.message}`);
    return pool.run("probeBackend", parsed.data);
  };
}
