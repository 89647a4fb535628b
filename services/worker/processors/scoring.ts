import { type Job, UnrecoverableError } from "bullmq";
import { FINALIZE_RUN, SCORE_CHUNK } from "../../../jobs/scoring.js";
import type { Database } from "../../db/client.js";
import type { Logger } from "../../logger.js";
import type { CpuPool } from "../cpu-pool.js";
import { finalizeRunProcessor } from "./finalize-run.js";
import { scoreChunkProcessor } from "./score-chunk.js";

/** The scoring queue's one processor: dispatches on the job name. */
export function scoringProcessor(pool: CpuPool, database: Database, logger: Logger) {
  const chunk = scoreChunkProcessor(pool, database, logger);
  const finalize = finalizeRunProcessor(database, logger);
  return (job: Job) => {
    if (job.name === SCORE_CHUNK) return chunk(job);
    if (job.name === FINALIZE_RUN) return finalize(job);
    throw new UnrecoverableError(`unknown scoring job ${job.name}`);
  };
}
