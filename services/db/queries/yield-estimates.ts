import { randomUUID } from "node:crypto";
import { and, desc, eq, lte, sql } from "drizzle-orm";
import { type OffPolicyEstimate, OffPolicyEstimateSchema, offPolicyEstimate } from "../../../models/off-policy.js";
import { type ExplorationGuidance, explorationGuidance } from "../../../models/exploration-guidance.js";
import type { Actor } from "../actor.js";
import { DomainError } from "../../errors.js";
import { queryRows, type Db } from "../client.js";
import { models, yieldEstimates } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";
import { getModel } from "./models.js";
import { latestCompletedRun } from "./model-runs.js";

export interface StoredYieldEstimate {
  id: string;
  modelId: string;
  runId: string;
  createdAt: string;
  /** Past controls left out: manual picks (no propensity by design) and controls without a recorded propensity. */
  excluded: { manual: number; withoutPropensity: number };
  estimate: OffPolicyEstimate;
  /** Expected interval width by exploration share, from this estimate's support (computed, not stored). */
  guidance: ExplorationGuidance;
}

/**
 * Estimates what the model's list at `capacity` would have found on past controls (IPS, SNIPS,
 * doubly robust, naive; models/off-policy.ts), stores the estimate and audits it in one
 * transaction. The model's latest completed scoring run gives the target population (its scores)
 * and the model's score of each controlled file; only controls selected by a model or by
 * exploration with a recorded probability are used. 409 when the model has no usable run.
 */
export async function produceYieldEstimate(db: Db, modelId: string, capacity: number, actor: Actor, requestId?: string): Promise<StoredYieldEstimate> {
  await getModel(db, modelId);
  const run = await latestCompletedRun(db, modelId);
  const population = await queryRows<{ score: number }>(db, sql`select score from scores where run_id = ${run.id}::uuid`);
  const controls = await queryRows<{ score: number; propensity: number; outcome: number; amount: number | null }>(
    db,
    sql`select s.score, o.selection_probability as propensity, o.outcome, o.amount
        from outcomes o join scores s on s.run_id = ${run.id}::uuid and s.file_id = o.file_id
        where o.selected_by in ('model', 'exploration') and o.selection_probability is not null`,
  );
  const [excluded] = await queryRows<{ manual: number; without: number }>(
    db,
    sql`select count(*) filter (where selected_by = 'manual')::int as manual,
               count(*) filter (where selected_by <> 'manual' and (selection_probability is null or selected_by not in ('model', 'exploration')))::int as without
        from outcomes`,
  );
  const estimate = offPolicyEstimate(
    controls.map((c) => ({ score: Number(c.score), propensity: Number(c.propensity), outcome: Number(c.outcome), amount: c.amount === null ? null : Number(c.amount) })),
    Float64Array.from(population, (p) => Number(p.score)),
    capacity,
  );
  const id = randomUUID();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(yieldEstimates)
      .values({ id, modelId, runId: run.id, capacity, estimate: estimate as unknown as Record<string, unknown>, requestedBy: actor.id })
      .returning({ createdAt: yieldEstimates.createdAt });
    await appendAuditEvent(tx, {
      actor,
      action: "model.yield_estimate",
      target: modelId,
      details: {
        estimateId: id,
        runId: run.id,
        capacity,
        controls: estimate.controls,
        support: estimate.support,
        hitRate: { ips: estimate.hitRate.ips.value, snips: estimate.hitRate.snips.value, dr: estimate.hitRate.dr.value, naive: estimate.hitRate.naive.value },
        pastHitRate: estimate.pastHitRate,
      },
      requestId,
    });
    return {
      id,
      modelId,
      runId: run.id,
      createdAt: row.createdAt.toISOString(),
      excluded: { manual: excluded.manual, withoutPropensity: excluded.without },
      estimate,
      guidance: explorationGuidance(estimate, await controlRoutes(tx, run.id)),
    };
  });
}

/** The model's latest stored yield estimate (made no later than `before`, at `capacity`, when given), or null. */
export async function latestYieldEstimate(db: Db, modelId: string, before?: Date, capacity?: number) {
  const [row] = await db
    .select()
    .from(yieldEstimates)
    .where(
      and(
        eq(yieldEstimates.modelId, modelId),
        before ? lte(yieldEstimates.createdAt, before) : undefined,
        // Capacities are stored as given (0.1); a tolerance finds 0.1 however the query wrote it.
        capacity === undefined ? undefined : sql`abs(${yieldEstimates.capacity} - ${capacity}) < 1e-9`,
      ),
    )
    .orderBy(desc(yieldEstimates.createdAt), desc(yieldEstimates.id))
    .limit(1);
  const estimate = OffPolicyEstimateSchema.safeParse(row?.estimate);
  return row && estimate.success ? { id: row.id, createdAt: row.createdAt, runId: row.runId, capacity: row.capacity, estimate: estimate.data } : null;
}

/** A model's estimate as the comparison shows it: stored, or made for the comparison. */
export interface ComparedYield {
  modelId: string;
  estimateId: string;
  createdAt: string;
  capacity: number;
  /** True when no estimate at this capacity was stored and the comparison made (stored, audited) one. */
  madeNow: boolean;
  estimate: OffPolicyEstimate;
}

/**
 * The model's latest stored estimate at `capacity`, or a new one made (stored and audited like any
 * other) when none is stored; null when none can be made (no completed scoring run).
 */
async function yieldAtCapacity(db: Db, modelId: string, capacity: number, actor: Actor, requestId?: string): Promise<ComparedYield | null> {
  const stored = await latestYieldEstimate(db, modelId, undefined, capacity);
  if (stored) return { modelId, estimateId: stored.id, createdAt: stored.createdAt.toISOString(), capacity, madeNow: false, estimate: stored.estimate };
  try {
    const made = await produceYieldEstimate(db, modelId, capacity, actor, requestId);
    return { modelId, estimateId: made.id, createdAt: made.createdAt, capacity, madeNow: true, estimate: made.estimate };
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return null;
    throw error;
  }
}

/**
 * What the comparison of `ids` shows of past controls: each model's estimate and the active
 * model's, all at one capacity (the one asked; else that of the newest estimate stored for one of
 * them; else 10 %), so the figures compare like with like.
 */
export async function compareYields(db: Db, ids: string[], asked: number | undefined, actor: Actor, requestId?: string) {
  const [active] = await db.select({ id: models.id }).from(models).where(eq(models.status, "active")).limit(1);
  let capacity = asked;
  if (capacity === undefined) {
    const latest = (await Promise.all(ids.map((id) => latestYieldEstimate(db, id)))).filter((e) => e !== null);
    latest.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    capacity = latest[0]?.capacity ?? 0.1;
  }
  const rows: (ComparedYield | null)[] = [];
  for (const id of ids) rows.push(await yieldAtCapacity(db, id, capacity, actor, requestId));
  const activeId = active?.id ?? null;
  const at = activeId === null ? -1 : ids.indexOf(activeId);
  const activeYield = activeId === null ? null : at >= 0 ? rows[at] : await yieldAtCapacity(db, activeId, capacity, actor, requestId);
  return { capacity, activeModelId: activeId, rows, active: activeYield };
}

/**
 * The past controls an estimate on `runId` uses (model or exploration picks with a probability, of
 * files the run scored), by route: the exploration share behind the guidance table.
 */
export async function controlRoutes(db: Db, runId: string): Promise<{ model: number; exploration: number }> {
  const [row] = await queryRows<{ model: number; exploration: number }>(
    db,
    sql`select count(*) filter (where o.selected_by = 'model')::int as model, count(*) filter (where o.selected_by = 'exploration')::int as exploration
        from outcomes o join scores s on s.run_id = ${runId}::uuid and s.file_id = o.file_id
        where o.selected_by in ('model', 'exploration') and o.selection_probability is not null`,
  );
  return row;
}

/** The model's stored yield estimates, newest first. */
export async function listYieldEstimates(db: Db, modelId: string, limit = 20) {
  const rows = await db
    .select()
    .from(yieldEstimates)
    .where(eq(yieldEstimates.modelId, modelId))
    .orderBy(desc(yieldEstimates.createdAt), desc(yieldEstimates.id))
    .limit(limit);
  return rows.flatMap((row) => {
    const estimate = OffPolicyEstimateSchema.safeParse(row.estimate);
    return estimate.success ? [{ id: row.id, createdAt: row.createdAt, runId: row.runId, capacity: row.capacity, requestedBy: row.requestedBy, estimate: estimate.data }] : [];
  });
}
