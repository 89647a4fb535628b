import { integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { at } from "./columns.js";

/** Versioned feature schemas; a model records the version it was trained with. */
export const featureSchemas = pgTable("feature_schemas", {
  version: integer().primaryKey(),
  definition: jsonb().$type<FeatureSchemaDefinition>().notNull(),
  createdBy: text().notNull(),
  createdAt: at().notNull().defaultNow(),
});
