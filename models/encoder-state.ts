import { z } from "zod";

/**
 * The fitted encoder, stored inside every model artifact. Plain JSON: scoring re-creates exactly
 * the training layout from it, on any machine, with no access to the training rows.
 */

const Base = {
  name: z.string(),
  /** First encoded column of this attribute, and how many consecutive columns it owns. */
  offset: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  /** Whether a 0/1 "missing" column is the attribute's last column. */
  missingColumn: z.boolean(),
};

/**
 * Numeric: v' = clip((t(v) − median) / scale, ±clip) with t = identity or log1p (chosen at fit
 * for non-negative, right-skewed values such as amounts), missing → 0 plus the indicator. With
 * `edges` (training quantiles of t(v)), one piecewise-linear column per segment follows:
 * clamp((t(v) − e_j) / (e_{j+1} − e_j), 0, 1), 0 when missing. A network then reads thresholds
 * and bumps from the first layer instead of building them from one scaled value.
 */
export const NumericEncoding = z.object({
  ...Base,
  type: z.literal("numeric"),
  transform: z.enum(["none", "log1p"]),
  median: z.number(),
  scale: z.number().positive(),
  typical: z.number(),
  /** Absent on encoders fitted without piecewise-linear columns (and before they existed). */
  edges: z.array(z.number()).optional(),
});

/** Categorical: one-hot of the kept levels, then "other" (rare or unseen), then "missing". */
export const CategoricalEncoding = z.object({
  ...Base,
  type: z.literal("categorical"),
  levels: z.array(z.string()),
  /** The most frequent training value (null if missing was most frequent). */
  typical: z.string().nullable(),
});

/** Boolean: 1 for true, 0 for false or missing, plus the missing indicator. */
export const BooleanEncoding = z.object({
  ...Base,
  type: z.literal("boolean"),
  typical: z.boolean(),
});

/**
 * Date (ISO 8601 string): robust-scaled fractional year (trend), month as sin/cos (seasonality
 * without a December→January jump), weekday / 6 in [0, 1] (Sunday = 0), plus missing.
 */
export const DateEncoding = z.object({
  ...Base,
  type: z.literal("date"),
  median: z.number(),
  scale: z.number().positive(),
  /** Epoch milliseconds of the median date. */
  typical: z.number(),
});

/** How one attribute is encoded, by type; `offset` and `width` locate its columns. */
export const AttributeEncoding = z.discriminatedUnion("type", [
  NumericEncoding,
  CategoricalEncoding,
  BooleanEncoding,
  DateEncoding,
]);
export type AttributeEncoding = z.infer<typeof AttributeEncoding>;

/** One encoded column: the attribute it belongs to (for grouping explanations) and a label. */
export const EncodedColumn = z.object({
  attribute: z.string(),
  label: z.string(),
});
export type EncodedColumn = z.infer<typeof EncodedColumn>;

/** The whole fitted encoder; validate with EncoderState.parse when reading an artifact. */
export const EncoderState = z.object({
  version: z.literal(1),
  clip: z.number().positive(),
  nRowsFitted: z.number().int().nonnegative(),
  attributes: z.array(AttributeEncoding),
  columns: z.array(EncodedColumn),
  nCols: z.number().int().positive(),
});
export type EncoderState = z.infer<typeof EncoderState>;

/** Fit options; the defaults suit tens of thousands of training rows. */
export const EncoderOptions = z.object({
  /** Numeric and date values are clipped to ±clip after robust scaling (outliers cannot dominate). */
  clip: z.number().positive().default(5),
  /** A categorical level needs at least this many training rows to get its own column. */
  minLevelCount: z.number().int().positive().default(10),
  /** At most this many levels per categorical attribute get their own column (most frequent). */
  maxLevels: z.number().int().positive().default(30),
  /**
   * Quantile segments of the piecewise-linear columns per numeric attribute; 0 = none. Numerics
   * with fewer distinct training values than this get none (they are already coarse).
   */
  numericBins: z.number().int().min(0).max(64).default(0),
});
export type EncoderOptions = z.input<typeof EncoderOptions>;
