import { type Job, UnrecoverableError } from "bullmq";
import { FinalizeRunPayload } from "../../../jobs/scoring.js";
import type { Database } from "../../db/client.js";
import { finalizeScoringRun } from "../../db/queries/scoring-runs.js";
import type { Logger } from "../../logger.js";

/**
 * finalize-run: runs once every chunk job of the flow has completed; computes the root digest from
 * the chunk digests in the database (not from the job results, which a resumed run splits over
 * attempts), sets counts, duration and status completed.
 */
export function finalizeRunProcessor(database: Database, logger: Logger) {
  return async (job: Job) => {
    const parsed = FinalizeRunPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid finalize-run payload: ${parsed.error.message}`);
    const { run, finalized } = await finalizeScoringRun(database.db, parsed.data.runId, parsed.data.requestId);
    logger.info({ runId: run.id, status: run.status, finalized, rootDigest: run.rootDigest }, "scoring run finalized");
    return { status: run.status, rootDigest: run.rootDigest };
  };
}
