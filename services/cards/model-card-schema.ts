import { z } from "zod";
import { CalibrationBinSchema, TrainingDataSummarySchema } from "../../models/evaluation-schema.js";
import { DriftBand } from "../../models/drift-schema.js";
import { FAIRNESS_METRICS } from "../../models/fairness-schema.js";
import { OffPolicyEstimateSchema } from "../../models/off-policy.js";
import { FigureComparison, Interval } from "../../models/verdict.js";

/**
 * The model card (Annex IV style technical documentation of one model), as JSON. Every figure
 * comes from what was stored when it was produced: the model row (evaluation, fairness, training
 * data summary, approval), the feature schema version it was trained on, and the drift of the
 * latest run of the model completed before its approval. Nothing is recomputed, so the same model
 * gives the same card.
 */

const Figure = z.number().nullable();

export const ModelCardSchema = z.object({
  cardVersion: z.literal(1),
  modelId: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  /** The time of the latest stored fact the card rests on (not the time it was asked for). */
  dated: z.string(),
  intendedUse: z.object({ purpose: z.string(), users: z.string(), notFor: z.array(z.string()), limits: z.array(z.string()) }),
  trainingData: z.object({
    cutoff: z.string().nullable(),
    schemaVersion: z.number().int().nullable(),
    dataDigest: z.string().nullable(),
    split: z.record(z.string(), z.unknown()).nullable(),
    trainRows: Figure,
    validationRows: Figure,
    summary: TrainingDataSummarySchema.nullable(),
  }),
  features: z.array(z.object({ name: z.string(), type: z.string(), role: z.string(), description: z.string().nullable() })),
  training: z.object({
    seed: z.number().int(),
    backend: z.string().nullable(),
    codeVersion: z.string().nullable(),
    ipw: z.boolean(),
    params: z.record(z.string(), z.unknown()).nullable(),
    stopReason: z.string().nullable(),
    bestEpoch: Figure,
    epochs: Figure,
    durationMs: Figure,
  }),
  evaluation: z.object({
    validation: z.object({ n: Figure, positives: Figure, aucRoc: Figure, prAuc: Figure, brier: Figure, logLoss: Figure }).nullable(),
    unbiased: z.object({ rows: Figure, positives: Figure, aucRoc: Figure, prAuc: Figure, note: z.string().nullable() }).nullable(),
    level: Figure,
    resamples: Figure,
    comparisons: z.array(z.object({ baseline: z.string(), beats: z.boolean(), figures: z.array(FigureComparison) })),
    summary: z.array(z.string()),
  }),
  calibration: z.object({
    platt: z.object({ a: z.number(), b: z.number(), n: z.number().int() }).nullable(),
    bins: z.array(CalibrationBinSchema),
  }),
  fairness: z
    .object({
      capacity: z.number(),
      k: z.number().int(),
      attributes: z.array(
        z.object({
          attribute: z.string(),
          reference: z.string(),
          flaggedGroups: z.number().int(),
          headlineFlags: z.number().int(),
          tooSmallGroups: z.number().int(),
          groups: z.array(
            z.object({
              value: z.string(),
              n: z.number().int(),
              positives: z.number().int(),
              judgeable: z.boolean(),
              selectionRate: Figure,
              precision: Figure,
              fpr: Figure,
              fnr: Figure,
              fprRatio: Figure,
              fdrRatio: Figure,
              flags: z.array(z.enum(FAIRNESS_METRICS)),
            }),
          ),
        }),
      ),
    })
    .nullable(),
  drift: z
    .object({
      /** true: the latest run of the model completed before its approval; false: the latest run (not approved yet). */
      atApproval: z.boolean(),
      runId: z.string(),
      finishedAt: z.string().nullable(),
      rows: z.number().int(),
      band: DriftBand,
      alarms: z.array(z.string()),
      predictionPsi: z.number(),
      features: z.array(z.object({ name: z.string(), psi: z.number(), band: DriftBand })),
    })
    .nullable(),
  /** The latest stored off-policy yield estimate (before approval, when approved). */
  yieldEstimate: z
    .object({
      id: z.string(),
      createdAt: z.string(),
      runId: z.string(),
      capacity: z.number(),
      controls: z.number().int(),
      support: OffPolicyEstimateSchema.shape.support,
      pastHitRate: z.number().nullable(),
      hitRate: z.object({ ips: Interval, snips: Interval, dr: Interval, naive: Interval }),
      warnings: z.array(z.string()),
    })
    .nullable(),
  approval: z
    .object({
      approvedBy: z.string().nullable(),
      approvedAt: z.string().nullable(),
      justification: z.string().nullable(),
      warningsOverridden: z.array(z.string()),
    })
    .nullable(),
  oversight: z.object({
    trainedBy: z.string(),
    suspendedAt: z.string().nullable(),
    suspendedBy: z.string().nullable(),
    suspensionJustification: z.string().nullable(),
    retiredAt: z.string().nullable(),
  }),
  artifact: z.object({ sha256: z.string().nullable(), dataDigest: z.string().nullable(), codeVersion: z.string().nullable() }),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;
