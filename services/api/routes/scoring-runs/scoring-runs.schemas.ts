import { z } from "@hono/zod-openapi";
import { DriftReportSchema } from "../../../../models/drift-schema.js";
import { RUN_STATUSES } from "../../../db/schema/index.js";
import { FairnessQuery, FairnessReportApi } from "../models/evidence.schemas.js";

const UNIT = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "a unit id: lower case letters, digits, - and _");
const FILE_ID = z.string().min(1).max(200);

/** Which files a run scores: all, the files of some units, or a list of file ids. */
/** A run scoped by file ids names at most this many (a body of about 12 MB of 8-character ids). */
export const MAX_SCOPE_FILE_IDS = 1_000_000;

export const RunScopeSchema = z
  .union([
    z.object({ all: z.literal(true) }).strict(),
    z.object({ units: z.array(UNIT).min(1).max(500) }).strict(),
    z.object({ fileIds: z.array(FILE_ID).min(1).max(MAX_SCOPE_FILE_IDS) }).strict(),
  ])
  .openapi("ScoringScope", { description: "{all: true} | {units: [...]} | {fileIds: [...]}" });

export const CreateScoringRunBody = z
  .object({
    modelId: z.string().uuid().optional().openapi({ description: "Default: the active model (409 when none)" }),
    scope: RunScopeSchema.default({ all: true }),
    shadow: z
      .boolean()
      .default(false)
      .openapi({ description: "A challenger scoring alongside: its scores are kept but never feed control lists" }),
  })
  .openapi("CreateScoringRun");

// Re-wrapped so the OpenAPI document names it (see models.schemas.ts).
const DriftReport = z.object(DriftReportSchema.shape).openapi("DriftReport");

export const RunProgressSchema = z
  .object({
    chunksDone: z.number().int(),
    filesDone: z.number().int(),
    filesPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
    elapsedSeconds: z.number(),
  })
  .openapi("ScoringProgress");

export const ScoringRunSchema = z
  .object({
    id: z.string().uuid(),
    modelId: z.string().uuid(),
    scope: z.record(z.string(), z.unknown()),
    shadow: z.boolean(),
    status: z.enum(RUN_STATUSES),
    totalFiles: z.number().int().openapi({
      description: "files in scope: exact once completed; for scopes of 200,000 files or more, estimated from a sample until then",
    }),
    totalChunks: z.number().int(),
    rootDigest: z.string().nullable(),
    requestedBy: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    attempt: z.number().int(),
    error: z.string().nullable(),
    progress: RunProgressSchema.optional(),
    driftAlarm: z.boolean().nullable().openapi({
      description: "true when a feature's or the score distribution's PSI against the training population is above 0.25; null until completed or without a reference",
    }),
    drift: DriftReport.nullable(),
  })
  .openapi("ScoringRun");

export const ScoringRunsPage = z
  .object({ items: z.array(ScoringRunSchema), nextBefore: z.string().nullable() })
  .openapi("ScoringRunsPage");

export const ListRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().datetime({ offset: true }).optional().openapi({ description: "createdAt of the last run of the previous page" }),
});

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }) });

export const DroppedScoresSchema = z.object({ runId: z.string().uuid(), dropped: z.boolean() }).openapi("DroppedScores");

type RunRow = {
  id: string;
  modelId: string;
  scope: Record<string, unknown>;
  shadow: boolean;
  status: (typeof RUN_STATUSES)[number];
  totalFiles: number;
  totalChunks: number;
  rootDigest: string | null;
  requestedBy: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  progress: Record<string, unknown> | null;
  drift?: Record<string, unknown> | null;
};

/** The API shape of a run row (dates as ISO strings; no internal columns). */
export const toScoringRun = (r: RunRow, progress?: z.infer<typeof RunProgressSchema>): z.infer<typeof ScoringRunSchema> => ({
  id: r.id,
  modelId: r.modelId,
  scope: r.scope,
  shadow: r.shadow,
  status: r.status,
  totalFiles: r.totalFiles,
  totalChunks: r.totalChunks,
  rootDigest: r.rootDigest,
  requestedBy: r.requestedBy,
  createdAt: r.createdAt.toISOString(),
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
  durationMs: typeof r.progress?.durationMs === "number" ? r.progress.durationMs : null,
  attempt: Number(r.progress?.attempt ?? 1),
  error: r.error,
  ...(progress ? { progress } : {}),
  driftAlarm: r.drift ? (r.drift as { alarm: boolean }).alarm : null,
  drift: (r.drift ?? null) as z.infer<typeof DriftReportSchema> | null,
});

export const RunFairnessQuery = FairnessQuery.extend({
  capacity: z.coerce
    .number()
    .gt(0)
    .lte(1)
    .default(0.1)
    .openapi({ param: { name: "capacity", in: "query" }, description: "Share of the run's files selected (the top scores; ties at the cut pro rata)", example: 0.1 }),
});

export const RunFairnessSchema = z
  .object({
    runId: z.string().uuid(),
    modelId: z.string().uuid(),
    population: z.literal("scoring-run"),
    report: FairnessReportApi,
  })
  .openapi("RunFairness");
