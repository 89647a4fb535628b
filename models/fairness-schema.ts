import { z } from "zod";

/**
 * The stored (JSON) shape of a fairness report, shared by the training thread that computes it,
 * the API (typed in OpenAPI), the CLI table and the model card. Rates carry their counts, so a
 * reader can re-judge disparities against another reference group without the rows.
 */

/** The 80 percent rule (as aequitas uses it): a ratio to the reference outside [0.8, 1.25] is flagged. */
export const FAIRNESS_BAND = { low: 0.8, high: 1.25 } as const;
/** Below either count a group is reported but "too small to judge": its rates are mostly noise. */
export const MIN_GROUP_FILES = 30;
export const MIN_GROUP_POSITIVES = 5;
/** The disparities judged. FDR and FPR are the headline for punitive use (wrongly controlled files). */
export const FAIRNESS_METRICS = ["selectionRate", "precision", "fdr", "fpr", "fnr", "recall"] as const;
export type FairnessMetric = (typeof FAIRNESS_METRICS)[number];
export const HEADLINE_METRICS: readonly FairnessMetric[] = ["fdr", "fpr"];

/** A rate with its Wilson interval; value/low/high are null when the denominator is 0. */
export const RateSchema = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  /** Counts may be fractional: files tied at the capacity cut are selected pro rata. */
  numerator: z.number(),
  denominator: z.number(),
});
export type Rate = z.infer<typeof RateSchema>;

export const DisparitySchema = z.object({
  /** The group's rate over the reference group's; null when either is undefined or the reference's is 0. */
  ratio: z.number().nullable(),
  /** Outside the band, and both groups large enough to judge. */
  flagged: z.boolean(),
});

const metricRecord = <T extends z.ZodTypeAny>(t: T) =>
  z.object({ selectionRate: t, precision: t, fdr: t, fpr: t, fnr: t, recall: t });

export const GroupRatesSchema = z.object({
  value: z.string(),
  n: z.number().int(),
  positives: z.number().int(),
  /** Files of this group in the selection (fractional at a tie). */
  selected: z.number(),
  /** Files with a known outcome, when only some are (a run's or a list's population); absent = all. */
  labelled: z.number().int().optional(),
  baseRate: RateSchema,
  rates: metricRecord(RateSchema),
});
export type GroupRates = z.infer<typeof GroupRatesSchema>;

export const GroupFairnessSchema = GroupRatesSchema.extend({
  /** False when n < 30 or positives < 5: reported, never dropped, never flagged. */
  judgeable: z.boolean(),
  note: z.string().nullable(),
  disparity: metricRecord(DisparitySchema),
  flags: z.array(z.enum(FAIRNESS_METRICS)),
});
export type GroupFairness = z.infer<typeof GroupFairnessSchema>;

export const AttributeFairnessSchema = z.object({
  attribute: z.string(),
  /** segment: an attribute with role `segment`; score-decile: the sanity view (decile 1 = top scores). */
  kind: z.enum(["segment", "score-decile"]),
  reference: z.string(),
  /** False when the reference is the largest group (the default). */
  referenceChosen: z.boolean(),
  groups: z.array(GroupFairnessSchema),
  /** Judged groups with a flag on FDR or FPR (the headline for punitive use). */
  headlineFlags: z.number().int(),
  flaggedGroups: z.number().int(),
  tooSmallGroups: z.number().int(),
});
export type AttributeFairness = z.infer<typeof AttributeFairnessSchema>;

export const FairnessReportSchema = z.object({
  /** Share of the evaluated files selected (the top k by score). */
  capacity: z.number(),
  k: z.number().int(),
  n: z.number().int(),
  positives: z.number().int(),
  level: z.number(),
  band: z.object({ low: z.number(), high: z.number() }),
  minFiles: z.number().int(),
  minPositives: z.number().int(),
  /**
   * Absent for a model evaluation (every file labelled). A run's or a list's population knows the
   * outcome of the files controlled so far: `population` rates over them; `selection` knows only
   * the outcomes of the list's own picks, so FPR, FNR and recall are left undefined. In both the
   * selection rate is judged on files alone (n ≥ minFiles), the outcome rates as usual.
   */
  labels: z.object({ scope: z.enum(["population", "selection"]), labelled: z.number().int() }).optional(),
  attributes: z.array(AttributeFairnessSchema),
});
export type FairnessReport = z.infer<typeof FairnessReportSchema>;

/** What a model evaluation stores: one report per capacity, on the validation rows. */
export const FairnessEvaluationSchema = z.object({
  population: z.literal("validation"),
  reports: z.array(FairnessReportSchema),
});
export type FairnessEvaluation = z.infer<typeof FairnessEvaluationSchema>;
