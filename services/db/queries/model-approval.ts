import { eq, inArray, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict, forbidden } from "../../errors.js";
import type { Db } from "../client.js";
import { apiKeys, models } from "../schema/index.js";
import { driftWarnings, fourEyesRefusal, verdictWarnings } from "../../policy/approval.js";
import { appendAuditEvent } from "./audit-events.js";
import { latestModelRunDrift } from "./drift.js";
import { lockModel, MODEL_COLUMNS } from "./models.js";

/*
 * Which model is in use: four-eyes approval (which activates a trained model and retires the one
 * it replaces), suspension and resumption, retirement. Each is one transaction with its audit event.
 */

/** One advisory lock serializes approvals, so two at once leave exactly one active model. */
const MODEL_APPROVAL_LOCK = 7_402_004;

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
