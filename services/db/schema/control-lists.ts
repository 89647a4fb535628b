import { bigint, doublePrecision, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid, index } from "drizzle-orm/pg-core";
import { at } from "./columns.js";

export const LIST_STATUSES = ["open", "closed"] as const;
export const ITEM_STATUSES = ["pending", "claimed", "in_progress", "done", "skipped"] as const;

/** A prioritized list handed to an inspector: a stored snapshot of one run's scores. */
export const controlLists = pgTable(
  "control_lists",
  {
    id: uuid().primaryKey(),
    unit: text().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull(),
    runId: uuid().notNull(),
    modelId: uuid().notNull(),
    seed: integer().notNull(),
    status: text({ enum: LIST_STATUSES }).notNull().default("open"),
    createdBy: text().notNull(),
    createdAt: at().notNull().defaultNow(),
    closedAt: at(),
  },
  (t) => [index("control_lists_unit_idx").on(t.unit, t.createdAt)],
);

export const controlListItems = pgTable(
  "control_list_items",
  {
    listId: uuid()
      .notNull()
      .references(() => controlLists.id),
    fileId: text().notNull(),
    position: integer().notNull(),
    /** Null only for a file added by hand that the list's run did not score. */
    score: doublePrecision(),
    selectedBy: text({ enum: ["model", "exploration", "manual"] }).notNull(),
    /** Null for manual picks: a person chose them, so they carry no propensity. */
    selectionProbability: doublePrecision(),
    reasons: jsonb().$type<unknown[]>().notNull(),
    status: text({ enum: ITEM_STATUSES }).notNull().default("pending"),
    assignedTo: text(),
    outcomeId: bigint({ mode: "number" }),
    claimedAt: at(),
    startedAt: at(),
    doneAt: at(),
    /** Why an inspector added the file by hand or skipped it. */
    note: text(),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.fileId] }),
    uniqueIndex("control_list_items_position_idx").on(t.listId, t.position),
    index("control_list_items_file_idx").on(t.fileId),
  ],
);
