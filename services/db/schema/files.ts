import { index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { Attributes } from "../../../models/feature-schema.js";
import { timestamps } from "./columns.js";

/** The cases that can be controlled; `unit` scopes inspectors. */
export const files = pgTable(
  "files",
  {
    id: text().primaryKey(),
    unit: text().notNull(),
    attributes: jsonb().$type<Attributes>().notNull(),
    ...timestamps,
  },
  (t) => [index("files_unit_id_idx").on(t.unit, t.id)],
);
