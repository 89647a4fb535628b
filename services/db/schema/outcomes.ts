import { sql } from "drizzle-orm";
import { bigint, check, date, doublePrecision, index, pgTable, smallint, text, uuid } from "drizzle-orm/pg-core";
import { at } from "./columns.js";

export const SELECTED_BY = ["model", "exploration", "manual", "unknown"] as const;

/** What past controls found: the labels of the next model. Many controls per file over time. */
export const outcomes = pgTable(
  "outcomes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // Must name a file: checked once per statement by a trigger, not by a FOREIGN KEY (migration 0008).
    fileId: text().notNull(),
    // The file's unit when the control was recorded, checked by the same trigger: a list's
    // exclusions read one unit's recent controls as one index range (migration 0021).
    unit: text(),
    controlledAt: date({ mode: "string" }).notNull(),
    outcome: smallint().notNull(),
    amount: doublePrecision(),
    selectedBy: text({ enum: SELECTED_BY }).notNull().default("unknown"),
    selectionProbability: doublePrecision(),
    controlListId: uuid(),
    inspector: text(),
    notes: text(),
    recordedBy: text().notNull(),
    recordedAt: at().notNull().defaultNow(),
  },
  (t) => [
    index("outcomes_file_controlled_idx").on(t.fileId, t.controlledAt),
    index("outcomes_unit_controlled_idx").on(t.unit, t.controlledAt, t.fileId),
    check("outcomes_outcome_check", sql`${t.outcome} in (0, 1)`),
    check(
      "outcomes_probability_check",
      sql`${t.selectionProbability} is null or (${t.selectionProbability} > 0 and ${t.selectionProbability} <= 1)`,
    ),
    check("outcomes_selected_by_check", sql`${t.selectedBy} in ('model', 'exploration', 'manual', 'unknown')`),
  ],
);
