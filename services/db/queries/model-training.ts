import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict } from "../../errors.js";
import type { Db } from "../client.js";
import { type ModelStatus, models } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";
import { lockModel, MODEL_COLUMNS } from "./models.js";
import { FairnessEvaluationSchema } from "../../../models/fairness-schema.js";
import { fairnessSummary } from "../../../models/fairness.js";

/*
 * A model's training, from the request to its end: created as a draft, claimed by the worker, its
 * progress, then trained, failed or cancelled. Every move is guarded by the status it leaves, so a
 * redelivered job or a late worker cannot undo a cancellation.
 */

/** The reason stored in models.error when a data officer cancels a training (status failed). */
export const CANCELLED = "cancelled";

/** Statuses in which a training has not finished yet (it may still be cancelled). */
const UNFINISHED: ModelStatus[] = ["draft", "training"];

export interface NewModel {
  name: string | null;
  cutoff: string;
  seed: number;
  params: Record<string, unknown>;
}

/** Creates a model row in status draft (queued for training) with its audit event. */
export async function createModel(db: Db, input: NewModel, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(models)
      .values({ id: randomUUID(), ...input, status: "draft", trainedBy: by.id })
      .returning(MODEL_COLUMNS);
    await appendAuditEvent(tx, {
      actor: by,
      action: "model.train",
      target: row.id,
      details: { name: row.name, cutoff: row.cutoff, seed: row.seed, params: row.params },
      requestId,
    });
    return row;
  });
}

/**
 * Moves a queued or interrupted training to status training, or returns null when the row is
 * finished (trained, failed, cancelled…): a redelivered job then does nothing.
 */
export async function claimTraining(db: Db, id: string) {
  const [row] = await db
    .update(models)
    .set({ status: "training", startedAt: sql`coalesce(${models.startedAt}, now())`, progress: { phase: "reading" } })
    .where(and(eq(models.id, id), inArray(models.status, UNFINISHED)))
    .returning(MODEL_COLUMNS);
  return row ?? null;
}

/** Writes live progress; false when the model is no longer training (cancelled), so the caller stops. */
export async function updateTrainingProgress(db: Db, id: string, progress: Record<string, unknown>): Promise<boolean> {
  const rows = await db
    .update(models)
    .set({ progress })
    .where(and(eq(models.id, id), eq(models.status, "training")))
    .returning({ id: models.id });
  return rows.length > 0;
}

/** The status alone (polled by the processor to notice a cancellation). */
export async function modelStatus(db: Db, id: string): Promise<ModelStatus | null> {
  const [row] = await db.select({ status: models.status }).from(models).where(eq(models.id, id)).limit(1);
  return row?.status ?? null;
}

export interface TrainedModel {
  params: Record<string, unknown>;
  backend: string;
  schemaVersion: number;
  dataDigest: string;
  counts: Record<string, number>;
  metrics: Record<string, unknown>;
  baselines: Record<string, unknown>;
  progress: Record<string, unknown>;
  artifact: Buffer;
  artifactSha256: string;
  codeVersion: string;
  driftReference: Record<string, unknown>;
}

/**
 * Stores a finished training (status trained) with its audit event, only if the row is still
 * training: a training cancelled meanwhile stays cancelled. Returns whether it was stored.
 */
export async function finishTraining(db: Db, id: string, result: TrainedModel, by: Actor, requestId?: string): Promise<boolean> {
  const fairness = FairnessEvaluationSchema.safeParse(result.metrics.fairness);
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(models)
      .set({ ...result, status: "trained", error: null, finishedAt: sql`now()` })
      .where(and(eq(models.id, id), eq(models.status, "training")))
      .returning({ id: models.id });
    if (rows.length === 0) return false;
    await appendAuditEvent(tx, {
      actor: by,
      action: "model.trained",
      target: id,
      details: {
        artifactSha256: result.artifactSha256,
        dataDigest: result.dataDigest,
        counts: result.counts,
        // The fairness figures are produced here: the event keeps what was flagged.
        ...(fairness.success ? { fairness: fairnessSummary(fairness.data.reports) } : {}),
      },
      requestId,
    });
    return true;
  });
}

/** Marks an unfinished training failed with its reason (audited); false if it had already finished. */
export async function failTraining(db: Db, id: string, reason: string, by: Actor, requestId?: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(models)
      .set({ status: "failed", error: reason.slice(0, 2000), finishedAt: sql`now()` })
      .where(and(eq(models.id, id), inArray(models.status, UNFINISHED)))
      .returning({ id: models.id });
    if (rows.length === 0) return false;
    await appendAuditEvent(tx, { actor: by, action: "model.failed", target: id, details: { reason }, requestId });
    return true;
  });
}

/**
 * Cancels a queued or running training: status failed, error "cancelled". Idempotent: cancelling
 * a cancelled model answers it unchanged; any other finished model is a conflict.
 */
export async function cancelModel(db: Db, id: string, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const row = await lockModel(tx, id);
    if (row.status === "failed" && row.error === CANCELLED) return row;
    if (!UNFINISHED.includes(row.status)) throw conflict(`model ${id} is ${row.status}; only a draft or training model can be cancelled`, { modelStatus: row.status });
    const [updated] = await tx
      .update(models)
      .set({ status: "failed", error: CANCELLED, finishedAt: sql`now()` })
      .where(eq(models.id, id))
      .returning(MODEL_COLUMNS);
    await appendAuditEvent(tx, { actor: by, action: "model.cancel", target: id, details: { from: row.status }, requestId });
    return updated;
  });
}

