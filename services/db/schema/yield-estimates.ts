import { doublePrecision, index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at } from "./columns.js";
import { models } from "./models.js";
import { scoringRuns } from "./scoring.js";

/** Off-policy yield estimates as produced (models/off-policy.ts): append-only (migration 0015). */
export const yieldEstimates = pgTable(
  "yield_estimates",
  {
    id: uuid().primaryKey(),
    modelId: uuid()
      .notNull()
      .references(() => models.id),
    /** The candidate's scoring run: its scores are the target population and score the past controls. */
    runId: uuid()
      .notNull()
      .references(() => scoringRuns.id),
    capacity: doublePrecision().notNull(),
    estimate: jsonb().$type<Record<string, unknown>>().notNull(),
    requestedBy: text().notNull(),
    createdAt: at().notNull().defaultNow(),
  },
  (t) => [index("yield_estimates_model_idx").on(t.modelId, t.createdAt)],
);
