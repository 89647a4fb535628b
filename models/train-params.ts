import { z } from "zod";

/**
 * Training hyper-parameters with defaults that work on tabular data of 10⁴–10⁶ rows and
 * 10–200 encoded columns without tuning; every field can be overridden per model (stored with it).
 */
export const TrainParams = z.object({
  /** Width of the first hidden layer; each further layer has half the width (at least 8). */
  hiddenUnits: z.number().int().positive().max(1024).default(64),
  /** Hidden layers; 0 gives logistic regression. */
  layers: z.number().int().min(0).max(6).default(2),
  activation: z.enum(["relu", "elu", "tanh"]).default("relu"),
  /** Dropout rate after each hidden layer. */
  dropout: z.number().min(0).lt(1).default(0.1),
  /** L2 penalty on kernels (not biases), added to the mean batch loss. */
  l2: z.number().min(0).default(1e-4),
  /** Adam step size. */
  learningRate: z.number().positive().default(2e-3),
  batchSize: z.number().int().positive().default(512),
  maxEpochs: z.number().int().positive().default(30),
  /** Stop after this many epochs without a better validation PR AUC (best weights are restored). */
  patience: z.number().int().positive().default(4),
  /** Improvement in validation PR AUC that counts as better. */
  minDelta: z.number().min(0).default(1e-4),
  /**
   * Weight of a positive row relative to a negative one. "auto" = √(negatives / positives):
   * enough to keep rare positives in the gradient, with less noise than the full ratio.
   * Calibration on validation undoes the shift in probabilities afterwards.
   */
  positiveWeight: z.union([z.literal("auto"), z.number().positive()]).default("auto"),
});
/** Resolved parameters (defaults applied), as stored with the model. */
export type TrainParams = z.infer<typeof TrainParams>;
/** Parameters as a caller may give them (every field optional). */
export type TrainParamsInput = z.input<typeof TrainParams>;

/** Widths of the hidden layers for the given params (tapering by halves). */
export const hiddenWidths = (p: TrainParams): number[] =>
  Array.from({ length: p.layers }, (_, l) => Math.max(8, Math.floor(p.hiddenUnits / 2 ** l)));
