import { sql } from "drizzle-orm";
import { date, integer, jsonb, pgTable, text, uniqueIndex, uuid, index } from "drizzle-orm/pg-core";
import { at, bytea } from "./columns.js";

export const MODEL_STATUSES = ["draft", "training", "trained", "failed", "approved", "active", "suspended", "retired"] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** Trained models with their evidence (metrics, baselines) and governance (four-eyes approval). */
export const models = pgTable(
  "models",
  {
    id: uuid().primaryKey(),
    name: text(),
    status: text({ enum: MODEL_STATUSES }).notNull().default("draft"),
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    seed: integer().notNull(),
    backend: text(),
    schemaVersion: integer(),
    dataDigest: text(),
    cutoff: date({ mode: "string" }),
    counts: jsonb().$type<Record<string, number>>(),
    metrics: jsonb().$type<Record<string, unknown>>(),
    baselines: jsonb().$type<Record<string, unknown>>(),
    progress: jsonb().$type<Record<string, unknown>>(),
    artifact: bytea(),
    artifactSha256: text(),
    codeVersion: text(),
    error: text(),
    trainedBy: text().notNull(),
    approvedBy: text(),
    approvalJustification: text(),
    /** Verdict-guard warnings the approver overrode (services/policy/approval.ts); null if none. */
    approvalWarnings: jsonb().$type<string[]>(),
    createdAt: at().notNull().defaultNow(),
    startedAt: at(),
    finishedAt: at(),
    approvedAt: at(),
    activatedAt: at(),
    retiredAt: at(),
    suspendedAt: at(),
    suspendedBy: text(),
    suspensionJustification: text(),
    /** The training population's drift reference (models/drift-schema.ts), kept at training time. */
    driftReference: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [
    // The database itself guarantees a single active model, whatever races the API has.
    uniqueIndex("models_single_active_idx").on(t.status).where(sql`${t.status} = 'active'`),
    index("models_created_idx").on(t.createdAt),
  ],
);
