import { buildModelCard } from "../../cards/model-card.js";
import type { ModelCard } from "../../cards/model-card-schema.js";
import { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { conflict } from "../../errors.js";
import type { Db } from "../client.js";
import { latestModelRunDrift } from "./drift.js";
import { latestYieldEstimate } from "./yield-estimates.js";
import { getSchemaVersion } from "./feature-schemas.js";
import { getModel } from "./models.js";

/** Statuses of a model that finished training (a card has figures to show). */
export const CARDED: ReadonlySet<string> = new Set(["trained", "active", "suspended", "retired"]);

/**
 * The card of a model from its stored facts: the model row, the schema version it was trained on,
 * the drift of its latest run completed before its approval and its latest yield estimate made
 * before it (or the latest ones, if it was never approved). 409 for a model that has not finished training.
 */
export async function modelCard(db: Db, id: string): Promise<ModelCard> {
  const model = await getModel(db, id);
  if (!CARDED.has(model.status)) throw conflict(`model ${id} is ${model.status}: a card needs a trained model`, { modelStatus: model.status });
  const schemaRow = model.schemaVersion === null ? null : await getSchemaVersion(db, model.schemaVersion);
  const schema = FeatureSchemaDefinition.safeParse(schemaRow?.definition);
  const drift = await latestModelRunDrift(db, id, model.approvedAt ?? undefined);
  const yieldEstimate = await latestYieldEstimate(db, id, model.approvedAt ?? undefined);
  return buildModelCard({ model, schema: schema.success ? schema.data : null, drift, yieldEstimate }, model.approvedAt !== null);
}
