import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { at } from "./columns.js";
import { models } from "./models.js";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A request to score files with one model; its chunks are BullMQ child jobs. */
export const scoringRuns = pgTable(
  "scoring_runs",
  {
    id: uuid().primaryKey(),
    modelId: uuid()
      .notNull()
      .references(() => models.id),
    scope: jsonb().$type<Record<string, unknown>>().notNull(),
    shadow: boolean().notNull().default(false),
    status: text({ enum: RUN_STATUSES }).notNull().default("queued"),
    totalFiles: integer().notNull().default(0),
    totalChunks: integer().notNull().default(0),
    progress: jsonb().$type<Record<string, unknown>>(),
    rootDigest: text(),
    requestedBy: text().notNull(),
    createdAt: at().notNull().defaultNow(),
    startedAt: at(),
    finishedAt: at(),
    error: text(),
    /** The run's drift report against the model's training population, set when it completes. */
    drift: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [index("scoring_runs_model_idx").on(t.modelId, t.createdAt)],
);

/** One keyset range of files within a run, with the digest of the rows it wrote. */
export const scoringChunks = pgTable(
  "scoring_chunks",
  {
    runId: uuid()
      .notNull()
      .references(() => scoringRuns.id),
    chunkNo: integer().notNull(),
    firstFileId: text().notNull(),
    lastFileId: text().notNull(),
    n: integer().notNull(),
    digest: text(),
    finishedAt: at(),
    /** The chunk's drift counts (models/drift-schema.ts accumulator), written with its digest. */
    drift: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.chunkNo] })],
);

/**
 * The audit trail of every score: append-only (trigger + grants) and partitioned by run
 * (custom migration), so that retention drops whole partitions, never rows. In the database each
 * partition has one unique index on file_id, which is the (run_id, file_id) uniqueness (migration
 * 0005); the key and index declared here only keep drizzle-kit's snapshot as it was.
 */
export const scores = pgTable(
  "scores",
  {
    runId: uuid().notNull(),
    fileId: text().notNull(),
    modelId: uuid().notNull(),
    modelSha256: text().notNull(),
    score: doublePrecision().notNull(),
    reasons: jsonb().$type<unknown[]>().notNull(),
    inputDigest: text().notNull(),
    createdAt: at().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.fileId] }), index("scores_file_idx").on(t.fileId)],
);
