import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../../ingest/values.js";
import { BaselinesSchema, ModelMetricsSchema } from "../../../../models/evaluation-schema.js";
import { TrainParams } from "../../../../models/train-params.js";
import { MODEL_STATUSES } from "../../../db/schema/index.js";
import type { ModelRow } from "../../../db/queries/models.js";

// isIsoDate is the imports' rule: Date.parse alone accepts 2026-02-30 (it rolls over to March).
const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as yyyy-mm-dd").refine(isIsoDate, "not a calendar date");

export const CreateModelBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    cutoff: ISO_DATE.optional().openapi({ description: "Only controls before this date are used (default: today)" }),
    split: z.enum(["temporal", "random"]).optional().openapi({
      description: "temporal: train on controls before validationFrom, validate on later ones; random: seeded stratified. Default: temporal when the dates allow, else random",
    }),
    validationFrom: ISO_DATE.optional().openapi({ description: "Temporal split boundary (default: the date from which the latest validationFraction of controls lie)" }),
    validationFraction: z.number().min(0.05).max(0.5).default(0.2),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    // TrainParams is plain zod (models/ must not import the OpenAPI layer), so no .openapi() here.
    params: TrainParams.partial().strict().optional(),
    ipw: z.boolean().default(false).openapi({ description: "Weight rows by 1 / recorded selection probability" }),
  })
  .superRefine((b, ctx) => {
    if (b.split === "random" && b.validationFrom) {
      ctx.addIssue({ code: "custom", path: ["validationFrom"], message: "validationFrom applies to the temporal split only" });
    }
    if (b.cutoff && b.validationFrom && b.validationFrom >= b.cutoff) {
      ctx.addIssue({ code: "custom", path: ["validationFrom"], message: "validationFrom must be before the cutoff" });
    }
  })
  .openapi("CreateModel");
export type CreateModelBody = z.infer<typeof CreateModelBody>;

export const ApproveModelBody = z
  .object({
    justification: z.string().trim().min(10).max(2000).openapi({ description: "Why this model should be used" }),
    override: z.boolean().default(false).openapi({
      description:
        "Approve although the guard warns (no ROC-AUC gain over logistic regression beyond its interval, too few validation positives, or a drift alarm in the latest scoring run of this model); the warnings are kept with the approval. Without it such an approval is a 409 listing the warnings",
    }),
  })
  .openapi("ApproveModel");

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }) });

const Json = z.record(z.string(), z.unknown());

// Re-wrapped here rather than `.openapi()` on the models/ schemas: those may be built before
// @hono/zod-openapi extends zod (module order), and then lack the method.
const ModelMetrics = z.object(ModelMetricsSchema.shape).openapi("ModelMetrics");
const ModelBaselines = z.object(BaselinesSchema.shape).openapi("ModelBaselines");

export const ModelSummarySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().nullable(),
    status: z.enum(MODEL_STATUSES),
    seed: z.number().int(),
    backend: z.string().nullable(),
    schemaVersion: z.number().int().nullable(),
    cutoff: z.string().nullable(),
    counts: z.record(z.string(), z.number()).nullable(),
    progress: Json.nullable(),
    artifactSha256: z.string().nullable(),
    error: z.string().nullable(),
    trainedBy: z.string(),
    approvedBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("ModelSummary");

export const ModelSchema = ModelSummarySchema.extend({
  params: Json,
  dataDigest: z.string().nullable(),
  codeVersion: z.string().nullable(),
  metrics: ModelMetrics.nullable(),
  baselines: ModelBaselines.nullable(),
  approvalJustification: z.string().nullable(),
  approvalWarnings: z.array(z.string()).nullable().openapi({ description: "Verdict-guard warnings the approver overrode" }),
  startedAt: z.string().nullable(),
  approvedAt: z.string().nullable(),
  suspendedAt: z.string().nullable().openapi({ description: "When the model was last suspended (human oversight)" }),
  suspendedBy: z.string().nullable(),
  suspensionJustification: z.string().nullable(),
  activatedAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
}).openapi("Model");

export const CreatedModelSchema = z.object({ id: z.string().uuid(), status: z.enum(MODEL_STATUSES), jobId: z.string() }).openapi("CreatedModel");

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The public summary of a model row (no metrics, no artifact). */
export const toModelSummary = (row: ModelRow): z.infer<typeof ModelSummarySchema> => ({
  id: row.id,
  name: row.name,
  status: row.status,
  seed: row.seed,
  backend: row.backend,
  schemaVersion: row.schemaVersion,
  cutoff: row.cutoff,
  counts: row.counts,
  progress: row.progress,
  artifactSha256: row.artifactSha256,
  error: row.error,
  trainedBy: row.trainedBy,
  approvedBy: row.approvedBy,
  createdAt: row.createdAt.toISOString(),
  finishedAt: iso(row.finishedAt),
});

/** The full public view of a model row (never the artifact bytes). */
export const toModel = (row: ModelRow): z.infer<typeof ModelSchema> => ({
  ...toModelSummary(row),
  params: row.params,
  dataDigest: row.dataDigest,
  codeVersion: row.codeVersion,
  metrics: row.metrics as z.infer<typeof ModelMetricsSchema> | null,
  baselines: row.baselines as z.infer<typeof BaselinesSchema> | null,
  approvalJustification: row.approvalJustification,
  approvalWarnings: row.approvalWarnings,
  startedAt: iso(row.startedAt),
  approvedAt: iso(row.approvedAt),
  suspendedAt: iso(row.suspendedAt),
  suspendedBy: row.suspendedBy,
  suspensionJustification: row.suspensionJustification,
  activatedAt: iso(row.activatedAt),
  retiredAt: iso(row.retiredAt),
});
