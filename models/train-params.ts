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
  /**
   * L2 penalty on kernels (not biases), added to the mean batch loss. "auto" = min(0.01,
   * L2_PER_DATASET / training rows): a fixed prior on the weights against the *summed* loss, so
   * the penalty fades as data grows. Measured on the demo population (tests/bench/train, expected
   * precision@10 % over all files, oracle 0.312): at 10,169 history rows a fixed 1e-4 let the MLP
   * overfit down to the logistic baseline (0.288 vs 0.290, mean of 3 seeds); 2e-3…5e-3 gave
   * 0.295–0.297, every seed above logistic; 1e-2 0.291. At 100,000 rows 3e-3 cost 0.003 against
   * 1e-4…3e-4, hence a penalty that shrinks with the rows rather than one number. Tried on the
   * same figures and not kept, as their gains stayed within seed noise (±0.001): an exponential
   * moving average of the weights, early stopping on calibrated validation log loss, patience 8
   * with a smaller step, a 128-wide first layer, and a 3-seed ensemble (+0.001 for 3× the time).
   */
  l2: z.union([z.literal("auto"), z.number().min(0)]).default("auto"),
  /** Adam step size. */
  learningRate: z.number().positive().default(2e-3),
  /** Rows per step; trainAuto sizes it from the rows when not given (sizeParams). */
  batchSize: z.number().int().positive().default(512),
  /** Epoch cap; trainAuto sizes it from the rows when not given (sizeParams). */
  maxEpochs: z.number().int().positive().default(30),
  /**
   * Stop after this many epochs without a better validation PR AUC (best weights are restored);
   * trainAuto sizes it from the rows when not given (sizeParams).
   */
  patience: z.number().int().positive().default(4),
  /**
   * Wall-clock budget of the whole training in seconds (every ensemble member, the search and the
   * blend), set per model by the data officer. A member that crosses it stops after that epoch
   * (stop reason "budget", best weights kept); members that would start after it are skipped.
   * 60 s keeps the default demo (10⁴ rows, 2 cores) well inside a minute; raise it for 10⁶ rows.
   */
  budgetSeconds: z.number().positive().max(86_400).default(60),
  /**
   * Seeds per architecture in the default training's ensemble (trainAuto): the seeds' logits are
   * averaged, which removes most of the seed-to-seed spread of small validation sets. 1 = one model.
   */
  ensembleSeeds: z.number().int().min(1).max(10).default(3),
  /**
   * Whether trainAuto also trains a narrower one-layer network and a logistic regression and
   * blends them with the given architecture by validation log loss (a small validation-driven
   * search). false trains only the given architecture.
   */
  search: z.boolean().default(true),
  /**
   * Piecewise-linear quantile segments added per numeric attribute by the encoder the training
   * fits (EncoderOptions.numericBins); 0 = the scaled value alone. Measured on the public bench
   * (docs/benchmarks/2026-12-04-public-datasets.md): 8 lifted telecom churn, whose risk jumps at
   * thresholds, from 0.910 to 0.919 ROC-AUC (gradient-boosted trees 0.928).
   */
  numericBins: z.number().int().min(0).max(64).default(8),
  /** Improvement in validation PR AUC that counts as better. */
  minDelta: z.number().min(0).default(1e-4),
  /**
   * Weight of a positive row relative to a negative one. "auto" = √(negatives / positives):
   * enough to keep rare positives in the gradient, with less noise than the full ratio.
   * Calibration on validation undoes the shift in probabilities afterwards.
   */
  positiveWeight: z.union([z.literal("auto"), z.number().positive()]).default("auto"),
});
/** Strength of the "auto" L2 prior: the penalty on the mean loss is this over the training rows. */
export const L2_PER_DATASET = 30;
/** Largest "auto" L2 penalty, reached below 3,000 training rows. */
export const MAX_AUTO_L2 = 0.01;

/** The L2 penalty on the mean loss that `l2` means for `nRows` training rows. */
export const resolveL2 = (l2: TrainParams["l2"], nRows: number): number =>
  l2 === "auto" ? Math.min(MAX_AUTO_L2, L2_PER_DATASET / nRows) : l2;

/** Resolved parameters (defaults applied), as stored with the model. */
export type TrainParams = z.infer<typeof TrainParams>;
/** Parameters as a caller may give them (every field optional). */
export type TrainParamsInput = z.input<typeof TrainParams>;

/** Widths of the hidden layers for the given params (tapering by halves). */
export const hiddenWidths = (p: TrainParams): number[] =>
  Array.from({ length: p.layers }, (_, l) => Math.max(8, Math.floor(p.hiddenUnits / 2 ** l)));

/** Steps (batches) the sized epoch cap allows at least, so a few hundred rows still train. */
export const MIN_STEPS = 2000;
/** Steps without improvement the sized patience allows. */
export const PATIENCE_STEPS = 150;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Fills batchSize, maxEpochs and patience, where the caller left them out, from the number of
 * training rows. The fixed defaults (512 rows a batch, 30 epochs, patience 4) suit 10⁴–10⁶ rows;
 * on 250 rows they give 30 optimizer steps in all and leave the network half-trained (measured:
 * HouseVotes84 0.968 against 0.988 for XGBoost, Ionosphere 0.921 against 0.937). Sized: about
 * 16 batches an epoch (32 to 512 rows each), at least MIN_STEPS steps, patience PATIENCE_STEPS
 * steps; on the demo's 10⁴ rows this is 512 rows, 100 epochs, patience 8.
 */
export const sizeParams = (input: TrainParamsInput, nRows: number): TrainParamsInput => {
  const batchSize = input.batchSize ?? clamp(2 ** Math.round(Math.log2(Math.max(1, nRows / 16))), 32, 512);
  const steps = Math.max(1, Math.ceil(nRows / batchSize));
  return {
    ...input,
    batchSize,
    maxEpochs: input.maxEpochs ?? clamp(Math.ceil(MIN_STEPS / steps), 30, 300),
    patience: input.patience ?? clamp(Math.ceil(PATIENCE_STEPS / steps), 4, 25),
  };
};
