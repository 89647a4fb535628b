import { type Job, UnrecoverableError } from "bullmq";
import { ScoreChunkPayload, type ScoreChunkResult } from "../../../jobs/scoring.js";
import { type DriftReference, DriftReferenceSchema } from "../../../models/drift-schema.js";
import type { Database } from "../../db/client.js";
import { readChunkFiles, writeChunkScores } from "../../db/queries/scores.js";
import { chunkContext, failScoringRun, markRunRunning, modelArtifact } from "../../db/queries/scoring-runs.js";
import type { Logger } from "../../logger.js";
import type { CpuPool } from "../cpu-pool.js";

interface CachedModel {
  artifact: Uint8Array;
  sha256: string;
  attributes: string[];
  driftReference: DriftReference | null;
}

/**
 * score-chunk: read the chunk's files (main thread, bytes only), score them in the CPU pool, write
 * rows + digest in one transaction. Exactly once per (run, file) whatever the deliveries: see
 * writeChunkScores. A cancelled run's chunks skip; the last failed attempt fails the run.
 */
export function scoreChunkProcessor(pool: CpuPool, database: Database, logger: Logger) {
  // Per process: the artifact (tens of kB) and its input attributes, by model id.
  const cache = new Map<string, Promise<CachedModel>>();
  const modelFor = (modelId: string): Promise<CachedModel> => {
    let entry = cache.get(modelId);
    if (!entry) {
      entry = (async () => {
        const found = await modelArtifact(database.db, modelId);
        if (!found) throw new UnrecoverableError(`model ${modelId} has no artifact`);
        const artifact = new Uint8Array(found.artifact);
        const { attributes } = await pool.run("scoreModelInputs", { modelSha256: found.sha256, artifact });
        const reference = DriftReferenceSchema.safeParse(found.driftReference);
        return { artifact, sha256: found.sha256, attributes: attributes.map((a) => a.name), driftReference: reference.success ? reference.data : null };
      })();
      entry.catch(() => cache.delete(modelId));
      cache.set(modelId, entry);
    }
    return entry;
  };

  return async (job: Job): Promise<ScoreChunkResult> => {
    const parsed = ScoreChunkPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid score-chunk payload: ${parsed.error.message}`);
    const { runId, chunkNo } = parsed.data;
    try {
      const ctx = await chunkContext(database.db, runId, chunkNo);
      if (!ctx) throw new UnrecoverableError(`chunk ${chunkNo} of run ${runId} does not exist`);
      const { run, chunk } = ctx;
      if (chunk.digest) return { chunkNo, n: chunk.n, digest: chunk.digest, skipped: "done" };
      if (run.status === "cancelled" || run.status === "failed" || run.status === "completed") {
        return { chunkNo, n: 0, digest: null, skipped: "cancelled" };
      }
      await markRunRunning(database.db, runId);
      const model = await modelFor(run.modelId);
      const started = performance.now();
      const files = await readChunkFiles(database, run, chunk);
      const readMs = performance.now() - started;
      const { ids, attributes } = files;
      const scored = await pool.run(
        "scoreChunk",
        { runId, modelId: run.modelId, modelSha256: model.sha256, artifact: model.artifact, ids, attributes, driftReference: model.driftReference },
        // Handed over (transferred) rather than cloned: readChunkFiles packed them into memory of their own.
        [ids.bytes.buffer, ids.ends.buffer, attributes.bytes.buffer, attributes.ends.buffer],
      );
      const written = performance.now();
      const { written: wrote } = await writeChunkScores(database, { runId, chunkNo, copy: scored.copy, digest: scored.digest, n: scored.n, drift: scored.drift });
      logger.debug(
        { runId, chunkNo, n: scored.n, wrote, readMs, ...scored.millis, writeMs: performance.now() - written },
        "chunk scored",
      );
      return { chunkNo, n: scored.n, digest: scored.digest, ...(wrote ? {} : { skipped: "done" as const }) };
    } catch (error) {
      const last = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last) await failScoringRun(database.db, runId, `chunk ${chunkNo}: ${(error as Error).message}`);
      throw error;
    }
  };
}
