import { z } from "zod";
import { PlattCalibration } from "./calibration.js";
import { FairnessEvaluationSchema } from "./fairness-schema.js";
import { Verdict } from "./verdict.js";

/**
 * The stored (JSON) shape of an evaluation, its baselines and the training diagnostics, as zod
 * schemas shared by the API's OpenAPI document, the CLI's verdict table and the readers of a
 * model's evidence (fairness, model card, evaluation page). Figures are numbers or null: NaN
 * (undefined figure, e.g. precision at k = 0) becomes null in JSON.
 */

const Figure = z.number().nullable();

export const TopKFiguresSchema = z.object({ k: z.number().int(), hits: Figure, precision: Figure, recall: Figure, lift: Figure });

export const CalibrationBinSchema = z.object({
  bin: z.number().int(),
  n: z.number().int(),
  minScore: Figure,
  maxScore: Figure,
  meanScore: Figure,
  observedRate: Figure,
});

export const EvaluationReportSchema = z.object({
  n: z.number().int(),
  positives: z.number().int(),
  baseRate: Figure,
  aucRoc: Figure,
  prAuc: Figure,
  brier: Figure,
  logLoss: Figure,
  atCapacity: z.array(TopKFiguresSchema.extend({ capacity: z.number() })),
  atListSize: z.array(TopKFiguresSchema),
  calibration: z.array(CalibrationBinSchema),
  gains: z.array(z.object({ fraction: z.number(), k: z.number().int(), recall: Figure, precision: Figure })),
  /** Absent on models evaluated before the curves were stored. */
  roc: z.array(z.object({ fpr: Figure, tpr: Figure })).optional(),
  pr: z.array(z.object({ recall: Figure, precision: Figure })).optional(),
});
export type EvaluationReportJson = z.infer<typeof EvaluationReportSchema>;

export const EpochProgressSchema = z.object({ epoch: z.number().int(), loss: Figure, valPrAuc: Figure, valAucRoc: Figure });

export const STOP_REASONS = ["patience", "max-epochs", "budget", "callback"] as const;

/** What the default training's ensemble was made of (trainAuto's EnsembleReport). */
export const EnsembleReportSchema = z.object({
  members: z.array(
    z.object({
      group: z.string(),
      seed: z.number().int(),
      epochs: z.number().int(),
      bestEpoch: z.number().int(),
      stopReason: z.enum(STOP_REASONS),
      valAucRoc: Figure,
      durationMs: z.number(),
    }),
  ),
  /** Weight of each group's mean logit: "given" (the params' architecture), "narrow", "logistic". */
  blend: z.record(z.string(), z.number()),
  candidates: z.array(z.object({ blend: z.record(z.string(), z.number()), valLogLoss: Figure, valAucRoc: Figure })),
  /** Members not trained because the budget ran out. */
  skipped: z.number().int(),
});

export const TrainingDiagnosticsSchema = z.object({
  history: z.array(EpochProgressSchema),
  bestEpoch: z.number().int(),
  stopReason: z.enum(STOP_REASONS),
  positiveWeight: z.number(),
  l2: z.number(),
  durationMs: z.number(),
  calibration: PlattCalibration,
  /** Absent on models trained before the ensemble (a single network). */
  ensemble: EnsembleReportSchema.optional(),
});

export const UnbiasedEstimateSchema = z.object({
  rows: z.number().int(),
  positives: z.number().int(),
  report: EvaluationReportSchema.nullable(),
  note: z.string().optional(),
});

/** What the model learned from, for its card: stored at training from the rows themselves. */
export const TrainingDataSummarySchema = z.object({
  /** How each row got its label. */
  labelSource: z.string(),
  rows: z.number().int(),
  positives: z.number().int(),
  negatives: z.number().int(),
  /** First and last control date of the rows (yyyy-mm-dd). */
  period: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  /** Rows by how their control was selected (model, exploration, manual, …). */
  selection: z.record(z.string(), z.number().int()),
  /** Rows whose control recorded a selection probability. */
  withPropensity: z.number().int(),
});
export type TrainingDataSummary = z.infer<typeof TrainingDataSummarySchema>;

export const ModelMetricsSchema = z.object({
  validation: EvaluationReportSchema,
  unbiased: UnbiasedEstimateSchema,
  training: TrainingDiagnosticsSchema,
  /** Absent on models evaluated before verdicts existed. */
  verdict: Verdict.optional(),
  /** Per-segment figures and disparities at each capacity; absent on models trained before fairness reports. */
  fairness: FairnessEvaluationSchema.optional(),
  /** Absent on models trained before the card existed. */
  data: TrainingDataSummarySchema.optional(),
});
export type ModelMetricsJson = z.infer<typeof ModelMetricsSchema>;

export const BaselinesSchema = z.object({
  random: EvaluationReportSchema,
  singleFeature: z.object({ column: z.string(), sign: z.union([z.literal(1), z.literal(-1)]), report: EvaluationReportSchema }),
  logistic: z.object({ bestEpoch: z.number().int(), report: EvaluationReportSchema }),
  champion: z.object({ modelId: z.string(), report: EvaluationReportSchema }).nullable(),
});
export type BaselinesJson = z.infer<typeof BaselinesSchema>;
