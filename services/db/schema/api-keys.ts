import { pgTable, text, uuid } from "drizzle-orm/pg-core";
import { at } from "./columns.js";

export const ROLES = ["admin", "data_officer", "inspector", "auditor"] as const;
export type Role = (typeof ROLES)[number];

/** API keys: only the SHA-256 of a key is kept; the prefix lets people tell keys apart. */
export const apiKeys = pgTable("api_keys", {
  id: uuid().primaryKey(),
  prefix: text().notNull().unique(),
  sha256: text().notNull().unique(),
  role: text({ enum: ROLES }).notNull(),
  units: text().array().notNull().default([]),
  name: text().notNull(),
  createdBy: text().notNull(),
  createdAt: at().notNull().defaultNow(),
  revokedAt: at(),
  lastUsedAt: at(),
});
