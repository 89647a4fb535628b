import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { at } from "./columns.js";

/**
 * Every state change and every list pulled or exported, hash-chained (see services/audit/chain.ts
 * for the canonical encoding) and append-only in the database itself.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint({ mode: "number" }).primaryKey(),
    at: at().notNull(),
    actor: text().notNull(),
    role: text().notNull(),
    action: text().notNull(),
    target: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    requestId: text(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [index("audit_events_action_idx").on(t.action, t.id)],
);

/**
 * An event waiting for its transaction's COMMIT, where a deferred trigger chains it into
 * audit_events and deletes it (migration 0022): rows here are never seen by another transaction.
 */
export const auditStaged = pgTable("audit_staged", {
  seq: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  entry: jsonb().notNull(),
});
