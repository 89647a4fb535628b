import { sql } from "drizzle-orm";
import { bigint, check, date, doublePrecision, index, pgTable, smallint, text, uuid } from "drizzle-orm/pg-core";
import { at } from "./columns.js";
import { files } from "./files.js";

export const SELECTED_BY = ["model", "exploration", "manual", "unknown"] as const;

/** What past controls found: the labels of the next model. Many controls per file over time. */
export const outcomes = pgTable(
  "outcomes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    fileId: text()
      .notNull()
      .references(() => files.id),
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
    check("outcomes_outcome_check", sql`${t.outcome} in (0, 1)`),
    check(
      "outcomes_probability_check",
      sql`${t.selectionProbability} is null or (${t.selectionProbability} > 0 and ${t.selectionProbability} <= 1)`,
    ),
    check("outcomes_selected_by_check", sql`${t.selectedBy} in ('model', 'exploration', 'manual', 'unknown')`),
  ],
);
