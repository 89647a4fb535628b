import { z } from "@hono/zod-openapi";
import { FairnessReportSchema } from "../../../../models/fairness-schema.js";
import { OffPolicyEstimateSchema } from "../../../../models/off-policy.js";
import { ExplorationGuidanceSchema } from "../../../../models/exploration-guidance.js";
import { ModelCardSchema } from "../../../cards/model-card-schema.js";

/**
 * Schemas of a model's evidence (fairness report; later the card and yield estimates). The
 * models/ zod schemas are re-wrapped, as in models.schemas.ts, so the OpenAPI layer can name them.
 */

export const FairnessQuery = z.object({
  capacity: z.coerce
    .number()
    .gt(0)
    .lte(1)
    .default(0.1)
    .openapi({ param: { name: "capacity", in: "query" }, description: "Share of files selected; one of the stored capacities (0.01, 0.05, 0.1, 0.2)", example: 0.1 }),
  reference: z
    .string()
    .regex(/^[a-z][a-z0-9_]*:.+$/, "attribute:value, e.g. region:north")
    .optional()
    .openapi({
      param: { name: "reference", in: "query" },
      description: "The reference group of one attribute as attribute:value (default: each attribute's largest group)",
      example: "region:north",
    }),
});

/** The report as OpenAPI names it, shared by the model's, a run's and a list's fairness. */
export const FairnessReportApi = z.object(FairnessReportSchema.shape).openapi("FairnessReport");

export const ModelFairnessSchema = z
  .object({
    modelId: z.string().uuid(),
    population: z.literal("validation"),
    capacities: z.array(z.number()).openapi({ description: "The capacities stored with the evaluation" }),
    report: FairnessReportApi,
  })
  .openapi("ModelFairness");

export const CardQuery = z.object({
  format: z.enum(["json", "md"]).optional().openapi({
    param: { name: "format", in: "query" },
    description: "md: Markdown (as with Accept: text/markdown); default JSON",
  }),
});

export const ModelCard = z.object(ModelCardSchema.shape).openapi("ModelCard");

export const YieldQuery = z.object({
  capacity: z.coerce
    .number()
    .gt(0)
    .lte(1)
    .default(0.1)
    .openapi({ param: { name: "capacity", in: "query" }, description: "Share of files the model's list would control", example: 0.1 }),
});

/** The estimate as OpenAPI names it, shared by the yield estimate and the comparison. */
export const OffPolicyEstimateApi = z.object(OffPolicyEstimateSchema.shape).openapi("OffPolicyEstimate");

export const YieldEstimate = z
  .object({
    id: z.string().uuid(),
    modelId: z.string().uuid(),
    runId: z.string().uuid().openapi({ description: "The model's scoring run that gives the target population and the scores of past controls" }),
    createdAt: z.string(),
    excluded: z.object({ manual: z.number().int(), withoutPropensity: z.number().int() }),
    estimate: OffPolicyEstimateApi,
    guidance: z
      .object(ExplorationGuidanceSchema.shape)
      .openapi("ExplorationGuidance", { description: "Expected interval width by exploration share of the lists, scaled from this estimate's support (a rule of thumb)" }),
  })
  .openapi("YieldEstimate");
