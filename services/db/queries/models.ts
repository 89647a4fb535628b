import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict, forbidden, notFound } from "../../errors.js";
import type { Db } from "../client.js";
import { apiKeys, type ModelStatus, models } from "../schema/index.js";
import { driftWarnings, fourEyesRefusal, verdictWarnings } from "../../policy/approval.js";
import { appendAuditEvent } from "./audit-events.js";
import { latestModelRunDrift } from "./drift.js";
import { FairnessEvaluationSchema } from "../../../models/fairness-schema.js";
import { fairnessSummary } from "../../../models/fairness.js";

/** Every column but the artifact bytes (which only the worker reads). */
export const MODEL_COLUMNS = {
  id: models.id,
  name: models.name,
  status: models.status,
  params: models.params,
  seed: models.seed,
  backend: models.backend,
  schemaVersion: models.schemaVersion,
  dataDigest: models.dataDigest,
  cutoff: models.cutoff,
  counts: models.counts,
  metrics: models.metrics,
  baselines: models.baselines,
  progress: models.progress,
  artifactSha256: models.artifactSha256,
  codeVersion: models.codeVersion,
  error: models.error,
  trainedBy: models.trainedBy,
  approvedBy: models.approvedBy,
  approvalJustification: models.approvalJustification,
  approvalWarnings: models.approvalWarnings,
  createdAt: models.createdAt,
  startedAt: models.startedAt,
  finishedAt: models.finishedAt,
  approvedAt: models.approvedAt,
  suspendedAt: models.suspendedAt,
  suspendedBy: models.suspendedBy,
  suspensionJustification: models.suspensionJustification,
  activatedAt: models.activatedAt,
  retiredAt: models.retiredAt,
};

export type ModelRow = Awaited<ReturnType<typeof getModel>>;

/** The reason stored in models.error when a data officer cancels a training (status failed). */
export const CANCELLED = "cancelled";

/** Statuses in which a training has not finished yet (it may still be cancelled). */
const UNFINISHED: ModelStatus[] = ["draft", "training"];

/** One advisory lock serializes approvals, so two at once leave exactly one active model. */
const MODEL_APPROVAL_LOCK = 7_402_004;

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

export async function getModel(db: Db, id: string) {
  const [row] = await db.select(MODEL_COLUMNS).from(models).where(eq(models.id, id)).limit(1);
  if (!row) throw notFound(`model ${id}`);
  return row;
}

/** Newest first. */
export const listModels = (db: Db, limit = 100) =>
  db.select(MODEL_COLUMNS).from(models).orderBy(desc(models.createdAt), desc(models.id)).limit(limit);

/** The models with these ids, in the order asked; a missing id is a 404. */
export async function getModels(db: Db, ids: string[]) {
  const rows = await db.select(MODEL_COLUMNS).from(models).where(inArray(models.id, ids));
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw notFound(`model ${id}`);
    return row;
  });
}

/** A model's artifact and the schema version it was trained on, or null before training ends. */
export async function modelArtifact(db: Db, id: string) {
  const [row] = await db
    .select({ artifact: models.artifact, schemaVersion: models.schemaVersion })
    .from(models)
    .where(eq(models.id, id))
    .limit(1);
  return row?.artifact ? { artifact: row.artifact, schemaVersion: row.schemaVersion } : null;
}

/** The active model's id and artifact (champion of the next training), or null. */
export async function activeModelArtifact(db: Db) {
  const [row] = await db
    .select({ id: models.id, artifact: models.artifact })
    .from(models)
    .where(eq(models.status, "active"))
    .limit(1);
  return row?.artifact ? { id: row.id, artifact: row.artifact } : null;
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

const lockModel = async (tx: Db, id: string) => {
  const [row] = await tx.select(MODEL_COLUMNS).from(models).where(eq(models.id, id)).for("update").limit(1);
  if (!row) throw notFound(`model ${id}`);
  return row;
};

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

/**
 * Four-eyes approval: a trained model becomes active (through approved, recorded by approved_at)
 * and the previous active model is retired, in one transaction. The approver may not be the
 * trainer (services/policy/approval.ts: same key, or the same person's name however written). A
 * refused approval is itself an audit event, committed although the approval is not.
 */
export async function approveModel(db: Db, id: string, justification: string, by: Actor, requestId?: string, override = false) {
  const outcome = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MODEL_APPROVAL_LOCK})`);
    const row = await lockModel(tx, id);
    if (row.status !== "trained") throw conflict(`model ${id} is ${row.status}; only a trained model can be approved`, { modelStatus: row.status });
    const [trainer] = await tx.select({ keyId: apiKeys.id, name: apiKeys.name }).from(apiKeys).where(eq(apiKeys.prefix, row.trainedBy)).limit(1);
    const refusal = fourEyesRefusal({ keyId: trainer?.keyId ?? null, id: row.trainedBy, name: trainer?.name }, by);
    if (refusal) {
      await appendAuditEvent(tx, { actor: by, action: "model.approve.refused", target: id, details: { reason: refusal, trainedBy: row.trainedBy }, requestId });
      return { refusal, warnings: [], updated: null };
    }
    const warnings = [...verdictWarnings(row.metrics), ...driftWarnings(await latestModelRunDrift(tx, id))];
    if (warnings.length > 0 && !override) {
      await appendAuditEvent(tx, { actor: by, action: "model.approve.refused", target: id, details: { reason: "verdict", warnings }, requestId });
      return { refusal: null, warnings, updated: null };
    }
    // The active model, or a suspended one, steps down: approval ends a suspension.
    const replaced = await tx
      .update(models)
      .set({ status: "retired", retiredAt: sql`now()` })
      .where(inArray(models.status, ["active", "suspended"]))
      .returning({ id: models.id });
    const [updated] = await tx
      .update(models)
      .set({
        status: "active",
        approvedBy: by.id,
        approvalJustification: justification,
        approvalWarnings: warnings.length > 0 ? warnings : null,
        approvedAt: sql`now()`,
        activatedAt: sql`now()`,
      })
      .where(eq(models.id, id))
      .returning(MODEL_COLUMNS);
    for (const old of replaced) {
      await appendAuditEvent(tx, { actor: by, action: "model.retire", target: old.id, details: { replacedBy: id }, requestId });
    }
    await appendAuditEvent(tx, {
      actor: by,
      action: "model.approve",
      target: id,
      details: { justification, replaced: replaced.map((r) => r.id), ...(warnings.length > 0 ? { overridden: warnings } : {}) },
      requestId,
    });
    return { refusal: null, warnings, updated };
  });
  if (outcome.refusal !== null) throw forbidden(outcome.refusal);
  if (outcome.updated === null) {
    throw conflict(`approval needs an override: ${outcome.warnings.join("; ")}. Send "override": true with a justification that answers these warnings`, {
      warnings: outcome.warnings,
    });
  }
  return outcome.updated;
}

/**
 * Human oversight: an officer stops the active model's use at once (`suspended`, with who and
 * why); list creation answers 409 with the reason until a model is approved or this one resumed.
 */
export async function suspendModel(db: Db, id: string, justification: string, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const row = await lockModel(tx, id);
    if (row.status !== "active") throw conflict(`model ${id} is ${row.status}; only the active model can be suspended`, { modelStatus: row.status });
    const [updated] = await tx
      .update(models)
      .set({ status: "suspended", suspendedAt: sql`now()`, suspendedBy: by.id, suspensionJustification: justification })
      .where(eq(models.id, id))
      .returning(MODEL_COLUMNS);
    await appendAuditEvent(tx, { actor: by, action: "model.suspend", target: id, details: { justification }, requestId });
    return updated;
  });
}

/** Ends a suspension: the model is active again (unless another was approved meanwhile). */
export async function resumeModel(db: Db, id: string, justification: string, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MODEL_APPROVAL_LOCK})`);
    const row = await lockModel(tx, id);
    if (row.status !== "suspended") throw conflict(`model ${id} is ${row.status}; only a suspended model can be resumed`, { modelStatus: row.status });
    const [updated] = await tx
      .update(models)
      // activated_at stays: the model's scoring runs since its approval remain valid sources.
      .set({ status: "active" })
      .where(eq(models.id, id))
      .returning(MODEL_COLUMNS);
    await appendAuditEvent(tx, {
      actor: by,
      action: "model.resume",
      target: id,
      details: { justification, suspendedBy: row.suspendedBy, suspendedAt: row.suspendedAt },
      requestId,
    });
    return updated;
  });
}

/** Retires a trained, approved or active model (an active one leaves no active model behind). */
export async function retireModel(db: Db, id: string, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const row = await lockModel(tx, id);
    if (!["trained", "approved", "active", "suspended"].includes(row.status)) {
      throw conflict(`model ${id} is ${row.status}; only a trained, approved or active model can be retired`, { modelStatus: row.status });
    }
    const [updated] = await tx
      .update(models)
      .set({ status: "retired", retiredAt: sql`now()` })
      .where(eq(models.id, id))
      .returning(MODEL_COLUMNS);
    await appendAuditEvent(tx, { actor: by, action: "model.retire", target: id, details: { from: row.status }, requestId });
    return updated;
  });
}
