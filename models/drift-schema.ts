import { z } from "zod";

/**
 * Stored (JSON) shapes of drift: the training reference kept with a model, the accumulator a
 * scoring chunk keeps, and the report a run keeps. Shared by the workers, the API (OpenAPI) and
 * the CLI.
 */

/** Population stability bands (the usual rule of thumb): under 0.1 stable, 0.1 to 0.25 watch, above alarm. */
export const DRIFT_BANDS = { watch: 0.1, alarm: 0.25 } as const;
export const DriftBand = z.enum(["stable", "watch", "alarm"]);
export type DriftBand = z.infer<typeof DriftBand>;

/** Numeric (and date, as epoch ms) attributes: bins cut at the training quantiles, plus missing. */
export const NumericReference = z.object({
  name: z.string(),
  kind: z.literal("numeric"),
  /** Ascending distinct cut points; bin i holds values in (edges[i-1], edges[i]], the last bin values above. */
  edges: z.array(z.number()),
  counts: z.array(z.number().int()),
  missing: z.number().int(),
  n: z.number().int(),
});
/** Categorical and boolean attributes: per training level, plus missing; later levels are "unseen". */
export const CategoricalReference = z.object({
  name: z.string(),
  kind: z.literal("categorical"),
  levels: z.array(z.string()),
  counts: z.array(z.number().int()),
  missing: z.number().int(),
  n: z.number().int(),
});
export const FeatureReference = z.discriminatedUnion("kind", [NumericReference, CategoricalReference]);
export type FeatureReference = z.infer<typeof FeatureReference>;
export type NumericReference = z.infer<typeof NumericReference>;
export type CategoricalReference = z.infer<typeof CategoricalReference>;

export const DriftReferenceSchema = z.object({
  version: z.literal(1),
  /** Rows of the training population (train and validation parts). */
  rows: z.number().int(),
  features: z.array(FeatureReference),
  /** Scores of the validation rows (out of sample, like the scores of new files). */
  score: NumericReference,
});
export type DriftReference = z.infer<typeof DriftReferenceSchema>;

/** Counts of one feature over scored files, in the reference's bins (+ missing, + unseen levels). */
export const FeatureCounts = z.object({
  counts: z.array(z.number().int()),
  missing: z.number().int(),
  unseen: z.number().int(),
  /** The first few unseen levels, to name them. */
  unseenLevels: z.array(z.string()),
});
export const DriftAccumulatorSchema = z.object({
  n: z.number().int(),
  features: z.array(FeatureCounts),
  score: FeatureCounts,
});
export type DriftAccumulator = z.infer<typeof DriftAccumulatorSchema>;
export type FeatureCounts = z.infer<typeof FeatureCounts>;

export const DriftBin = z.object({ bin: z.string(), expected: z.number(), actual: z.number() });

export const FeatureDriftSchema = z.object({
  name: z.string(),
  kind: z.enum(["numeric", "categorical"]),
  psi: z.number(),
  band: DriftBand,
  missingRate: z.object({ reference: z.number().nullable(), current: z.number().nullable(), change: z.number().nullable() }),
  unseen: z.number().int(),
  unseenLevels: z.array(z.string()),
  bins: z.array(DriftBin),
});
export type FeatureDrift = z.infer<typeof FeatureDriftSchema>;

export const DriftReportSchema = z.object({
  referenceRows: z.number().int(),
  rows: z.number().int(),
  bands: z.object({ watch: z.number(), alarm: z.number() }),
  features: z.array(FeatureDriftSchema),
  prediction: FeatureDriftSchema,
  /** The worst band over features and prediction. */
  band: DriftBand,
  alarm: z.boolean(),
  /** One sentence per feature (or the prediction) in alarm. */
  alarms: z.array(z.string()),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;
