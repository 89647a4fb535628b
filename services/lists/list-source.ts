import type { FeatureSchemaDefinition } from "../../models/feature-schema.js";
import type { ListFilters, ListSourceFacts } from "../db/queries/control-lists.js";
import { conflict, invalid } from "../errors.js";

/** The run a list is drawn from. */
export interface SourceRun {
  runId: string;
  modelId: string;
}

/**
 * Whether the stored facts make a usable source for a list of `unit`: 422 for a unit without
 * files; 409 when the model is suspended or none is active, when the active model has no completed
 * run covering the unit, when retention dropped that run's scores, or when the run was requested
 * before the model became active (its scores then predate the approval).
 */
export function usableListSource(facts: ListSourceFacts, unit: string): { run: SourceRun; schema: FeatureSchemaDefinition | null } {
  if (!facts.unitExists) throw invalid(`unit "${unit}" has no files`, [{ path: "unit", message: `unknown unit "${unit}"` }]);
  if (!facts.modelId && facts.suspended) {
    const s = facts.suspended;
    throw conflict(
      `model ${s.id} was suspended by ${s.by} at ${s.at}: "${s.why}". No list can be built until a model is approved again, or this one is resumed`,
      { reason: "model_suspended", modelId: s.id, suspendedBy: s.by, suspendedAt: s.at, justification: s.why },
    );
  }
  if (!facts.modelId) throw conflict("no model is active: approve and activate a model, then score, before building lists");
  if (!facts.runId || !facts.runCreatedAt) {
    throw conflict(`the active model has no completed non-shadow scoring run covering unit "${unit}"`, { modelId: facts.modelId });
  }
  if (facts.scoresDroppedAt) {
    throw conflict(
      `the scores of the latest scoring run for unit "${unit}" were dropped by retention on ${facts.scoresDroppedAt}: start a new scoring run first`,
      { runId: facts.runId, modelId: facts.modelId, reason: "scores_dropped" },
    );
  }
  if (facts.activatedAt && facts.runCreatedAt < facts.activatedAt) {
    throw conflict(
      `the latest scoring run for unit "${unit}" (${facts.runCreatedAt.toISOString()}) is older than the active model ` +
        `(activated ${facts.activatedAt.toISOString()}): start a new scoring run first`,
      { runId: facts.runId, modelId: facts.modelId },
    );
  }
  return { run: { runId: facts.runId, modelId: facts.modelId }, schema: facts.schema };
}

/** Whether a filter names an attribute that is not categorical in the schema: 422 with the field. */
export function assertCategoricalFilters(schema: FeatureSchemaDefinition | null, filters: ListFilters): void {
  const categorical = new Set((schema?.attributes ?? []).filter((a) => a.type === "categorical").map((a) => a.name));
  const bad = Object.keys(filters).filter((name) => !categorical.has(name));
  if (bad.length) {
    throw invalid(
      "filters may only name categorical attributes of the current schema",
      bad.map((name) => ({ path: `filters.${name}`, message: `"${name}" is not a categorical attribute of the schema` })),
    );
  }
}
