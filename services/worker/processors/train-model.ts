import { createHash } from "node:crypto";
import { MessageChannel } from "node:worker_threads";
import { type Job, UnrecoverableError } from "bullmq";
import { TrainModelPayload } from "../../../jobs/training.js";
import { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { TrainParams } from "../../../models/train-params.js";
import { type Actor, SYSTEM_ACTOR } from "../../auth/actor.js";
import { claimTraining, failTraining, finishTraining, modelStatus, updateTrainingProgress } from "../../db/queries/model-training.js";
import { activeModelArtifact } from "../../db/queries/models.js";
import { latestFeatureSchema, readTrainingRows } from "../../db/queries/training-data.js";
import type { CpuPool } from "../cpu-pool.js";
import type { WorkerDeps } from "../deps.js";
import type { TrainTaskOutput } from "../tasks/train.js";
import { CANCEL_MESSAGE, type TrainProgressMessage } from "../tasks/train-protocol.js";
import { codeVersion, dataDigest, trainingColumns, trainingDataSummary, transferables } from "../training-input.js";

/** The actor of audit events the training worker writes. */
const WORKER_ACTOR: Actor = { ...SYSTEM_ACTOR, id: "worker:training", name: "training worker" };

/** Progress is written at most this often (an epoch on small data takes milliseconds). */
const PROGRESS_WRITE_MS = 300;
/** How often the processor looks for a cancellation while the thread trains. */
const CANCEL_POLL_MS = 500;

/** What a training failure stored in models.error looks like (first line, bounded). */
const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 500);

/**
 * The progress a finished training leaves: the epoch it stopped at (the bar ends there, not at
 * the last throttled write), why, the best epoch whose weights were kept, and the validation
 * figures of the stored evaluation (so the bar and `models show` say the same numbers).
 */
export const finalProgress = (progress: Record<string, unknown>, output: TrainTaskOutput): Record<string, unknown> => {
  const t = output.metrics.training as { history: { epoch: number; loss: number }[]; bestEpoch: number; stopReason: string };
  const stopped = t.history[t.history.length - 1];
  return {
    ...progress,
    phase: "done",
    epoch: stopped.epoch,
    stoppedAt: stopped.epoch,
    maxEpochs: output.params.maxEpochs,
    stopReason: t.stopReason,
    bestEpoch: t.bestEpoch,
    loss: t.history[t.bestEpoch - 1]?.loss ?? stopped.loss,
    valPrAuc: output.metrics.validation.prAuc,
    valAucRoc: output.metrics.validation.aucRoc,
    updatedAt: new Date().toISOString(),
  };
};

/** A failure of the data or the maths: the same job would fail again, so it is not retried. */
class TrainingFailedError extends Error {
  override name = "TrainingFailedError";
}

/**
 * train-model: claims the model row, reads its labelled files on this (main) thread, runs the
 * `train` task in a CPU thread with a MessagePort for progress and cancellation, and stores the
 * result. Idempotent under at-least-once delivery: only a draft/training row is claimed, the
 * result is written only while the row is still training, and a row is keyed by its id, so a
 * redelivered job either redoes an interrupted training on the same row or does nothing.
 */
export function trainModelProcessor(pool: CpuPool, deps: WorkerDeps) {
  const { db } = deps.database;
  return async (job: Job) => {
    const parsed = TrainModelPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid train-model payload: ${parsed.error.message}`);
    const { modelId, requestId } = parsed.data;
    const model = await claimTraining(db, modelId);
    if (!model) {
      const status = await modelStatus(db, modelId);
      if (status === null) throw new UnrecoverableError(`model ${modelId} does not exist`);
      return { modelId, skipped: status };
    }
    const stored = model.params as { train?: Record<string, unknown>; split?: { kind?: string; validationFrom?: string; validationFraction?: number }; ipw?: boolean };
    let progress: Record<string, unknown> = { phase: "reading" };
    let writing = Promise.resolve();
    let lastWrite = 0;
    let pendingTimer: NodeJS.Timeout | undefined;
    const writeProgress = () => {
      pendingTimer = undefined;
      lastWrite = Date.now();
      const snapshot = { ...progress, updatedAt: new Date().toISOString() };
      // Stored first, then published on the job, so that a job `progress` event (the queue
      // dashboard, a test waiting on it) never runs ahead of what GET /v1/models/{id} shows.
      writing = writing.then(() =>
        updateTrainingProgress(db, modelId, snapshot)
          .then((live) => (live ? job.updateProgress(snapshot) : undefined))
          .then(() => undefined, () => undefined),
      );
    };
    const setProgress = (next: Record<string, unknown>) => {
      progress = { ...progress, ...next };
      if (Date.now() - lastWrite >= PROGRESS_WRITE_MS) writeProgress();
      else pendingTimer ??= setTimeout(writeProgress, PROGRESS_WRITE_MS);
    };
    const channel = new MessageChannel();
    let poll: NodeJS.Timeout | undefined;
    try {
      let result;
      try {
        const schemaRow = await latestFeatureSchema(db);
        if (!schemaRow) throw new TrainingFailedError("no feature schema has been declared (PUT /v1/schema)");
        const schema = FeatureSchemaDefinition.parse(schemaRow.definition);
        const rows = await readTrainingRows(db, model.cutoff ?? new Date().toISOString().slice(0, 10));
        if (rows.length === 0) throw new TrainingFailedError(`no file has a control before the cutoff ${model.cutoff}`);
        const data = trainingColumns(schema, rows);
        const digest = dataDigest(schema, rows);
        const summary = trainingDataSummary(rows);
        const champion = await activeModelArtifact(db);
        const version = codeVersion(deps.config.BUILD_ID);
        const params = TrainParams.parse(stored.train ?? {});
        setProgress({ phase: "encoding", rows: rows.length, maxEpochs: params.maxEpochs });

        channel.port1.on("message", (m: TrainProgressMessage) => {
          if (m.type === "phase") setProgress({ phase: m.phase, ...m.detail });
          else setProgress({ phase: "training", epoch: m.epoch, loss: m.loss, valPrAuc: m.valPrAuc, valAucRoc: m.valAucRoc });
        });
        poll = setInterval(() => {
          modelStatus(db, modelId).then(
            (s) => s !== "training" && channel.port1.postMessage(CANCEL_MESSAGE),
            () => undefined,
          );
        }, CANCEL_POLL_MS);
        const championBytes = champion && champion.id !== modelId ? new Uint8Array(champion.artifact) : null;
        const output = await pool
          .run(
            "train",
            {
              data,
              schema,
              split: {
                kind: (stored.split?.kind as "auto" | "temporal" | "random") ?? "auto",
                validationFrom: stored.split?.validationFrom,
                validationFraction: stored.split?.validationFraction ?? 0.2,
              },
              seed: model.seed,
              params,
              ipw: stored.ipw ?? false,
              champion: championBytes && champion ? { id: champion.id, artifact: championBytes } : null,
              meta: { schemaVersion: schemaRow.version, dataDigest: digest, seed: model.seed, codeVersion: version },
              port: channel.port2,
            },
            [channel.port2 as never, ...transferables(data), ...(championBytes ? [championBytes.buffer as ArrayBuffer] : [])],
          )
          .catch((e: unknown) => {
            throw new TrainingFailedError(reasonOf(e));
          });
        result = { output, digest, version, schemaVersion: schemaRow.version, summary };
      } finally {
        clearInterval(poll);
        clearTimeout(pendingTimer);
        channel.port1.close();
      }
      await writing;
      const { output, digest, version, schemaVersion, summary } = result;
      const artifact = Buffer.from(output.artifact.buffer, output.artifact.byteOffset, output.artifact.byteLength);
      const done = await finishTraining(
        db,
        modelId,
        {
          params: { train: output.params, split: output.split, ipw: stored.ipw ?? false },
          backend: output.backend,
          schemaVersion,
          dataDigest: digest,
          counts: output.counts,
          metrics: { ...output.metrics, data: summary } as unknown as Record<string, unknown>,
          baselines: output.baselines,
          progress: finalProgress(progress, output),
          artifact,
          artifactSha256: createHash("sha256").update(artifact).digest("hex"),
          codeVersion: version,
          driftReference: output.driftReference as unknown as Record<string, unknown>,
        },
        WORKER_ACTOR,
        requestId,
      );
      return { modelId, stored: done };
    } catch (error) {
      await writing;
      // Cancelled (or finished by another delivery) while we worked: nothing to store.
      if ((await modelStatus(db, modelId)) !== "training") return { modelId, cancelled: true };
      const final = error instanceof TrainingFailedError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!final) throw error;
      await failTraining(db, modelId, reasonOf(error), WORKER_ACTOR, requestId);
      throw new UnrecoverableError(reasonOf(error));
    }
  };
}
