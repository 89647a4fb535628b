import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { Attributes } from "../../../models/feature-schema.js";
import { at, timestamps } from "./columns.js";

/** The cases that can be controlled; `unit` scopes inspectors. */
export const files = pgTable(
  "files",
  {
    id: text().primaryKey(),
    unit: text().notNull(),
    attributes: jsonb().$type<Attributes>().notNull(),
    // When the file last moved to its unit (null: it never moved). A list's exclusions look up
    // the recent controls of its unit by the unit stored on each outcome; a file that moved in
    // since the window began may carry controls recorded under its old unit (migration 0021).
    movedAt: at(),
    ...timestamps,
  },
  (t) => [
    index("files_unit_id_idx").on(t.unit, t.id),
    index("files_moved_idx").on(t.unit, t.movedAt).where(sql`${t.movedAt} is not null`),
  ],
);
