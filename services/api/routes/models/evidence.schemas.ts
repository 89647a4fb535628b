import { z } from "@hono/zod-openapi";
import { FairnessReportSchema } from "../../../../models/fairness-schema.js";
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

export const ModelFairnessSchema = z
  .object({
    modelId: z.string().uuid(),
    population: z.literal("validation"),
    capacities: z.array(z.number()).openapi({ description: "The capacities stored with the evaluation" }),
    report: z.object(FairnessReportSchema.shape).openapi("FairnessReport"),
  })
  .openapi("ModelFairness");

export const CardQuery = z.object({
  format: z.enum(["json", "md"]).optional().openapi({
    param: { name: "format", in: "query" },
    description: "md: Markdown (as with Accept: text/markdown); default JSON",
  }),
});

export const ModelCard = z.object(ModelCardSchema.shape).openapi("ModelCard");
