/**
 * The public API of models/: pure machine learning over typed arrays and tensors (no I/O).
 * Typical use in a worker thread: selectBackend → fitEncoder/encodeRows → trainModel →
 * evaluateScores and baselines → serializeModel; for scoring: loadModel → encodeColumns →
 * predict → explain.
 */
export { type BackendChoice, BackendName, BackendUnavailableError, currentBackend, selectBackend, tf } from "./backend.js";
export {
  type AttributeSpec,
  type AttributeType,
  type AttributeValue,
  type Attributes,
  AttributeRole,
  FeatureSchemaDefinition,
  featureAttributes,
} from "./feature-schema.js";
export { EncoderOptions, EncoderState, fitEncoder } from "./encoder.js";
export type { AttributeEncoding, EncodedColumn } from "./encoder-state.js";
export {
  type AttributeColumns,
  type EncodedMatrix,
  columnAttributeIndex,
  encodeBaseline,
  encodeColumns,
  encodeRows,
} from "./encode.js";
export {
  aucRoc,
  brierScore,
  countPositives,
  expectedHitsCurve,
  liftAtK,
  logLoss,
  prAuc,
  precisionAtK,
  rankDescending,
  recallAtK,
} from "./metrics.js";
export {
  type CalibrationBin,
  type EvaluationReport,
  type GainsPoint,
  type PrPoint,
  type RocPoint,
  type TopKFigures,
  calibrationTable,
  EvaluationOptions,
  evaluateScores,
  gainsCurve,
} from "./evaluation.js";
export {
  BaselinesSchema,
  type BaselinesJson,
  EnsembleReportSchema,
  EvaluationReportSchema,
  type EvaluationReportJson,
  ModelMetricsSchema,
  type ModelMetricsJson,
  STOP_REASONS,
} from "./evaluation-schema.js";
export { BaselineComparison, computeVerdict, FigureComparison, Interval, Verdict, VerdictOptions } from "./verdict.js";
export { applyPlatt, calibratedLogit, fitPlatt, IDENTITY_CALIBRATION, logit, PlattCalibration } from "./calibration.js";
export { countParameters, MlpSpec, type NetworkWeights } from "./network.js";
export {
  hiddenWidths,
  L2_PER_DATASET,
  MAX_AUTO_L2,
  MIN_STEPS,
  PATIENCE_STEPS,
  resolveL2,
  sizeParams,
  TrainParams,
  type TrainParamsInput,
} from "./train-params.js";
export { type EnsembleMember, mergeNetworks } from "./ensemble.js";
export { type EnsembleReport, type MemberReport, type TrainAutoInput, type TrainAutoResult, trainAuto } from "./train-auto.js";
export {
  type EpochProgress,
  type OnEpoch,
  type TrainInput,
  type TrainResult,
  TrainingDataError,
  trainModel,
} from "./train.js";
export {
  fitSingleFeatureBaseline,
  LOGISTIC_PARAMS,
  randomBaselineScores,
  type SingleFeatureBaseline,
  singleFeatureScores,
  trainLogisticBaseline,
} from "./baselines.js";
export { EXPLAIN_BATCH, type Explanations, reasonsOf } from "./explain.js";
export { formatValue, type ReasonInWords, reasonInWords } from "./reason-words.js";
export { PREDICT_BATCH } from "./predict.js";
export {
  deserializeModel,
  type LoadedModel,
  loadModel,
  ModelArtifactError,
  type ModelParts,
  serializeModel,
  wrapModel,
} from "./artifact.js";
export { deriveSeed, mulberry32, seededPermutation } from "./prng.js";
export { type Split, stratifiedSplit, takeRows, takeValues, temporalSplit } from "./split.js";
export {
  type LoggedControl,
  MIN_SUPPORT,
  MIN_SUPPORT_POSITIVES,
  OffPolicyEstimateSchema,
  type OffPolicyEstimate,
  offPolicyEstimate,
  OffPolicyOptions,
} from "./off-policy.js";
export {
  accumulate,
  driftBand,
  driftReference,
  driftReport,
  emptyAccumulator,
  mergeAccumulators,
  psi,
} from "./drift.js";
export {
  DRIFT_BANDS,
  DriftAccumulatorSchema,
  type DriftAccumulator,
  DriftReferenceSchema,
  type DriftReference,
  DriftReportSchema,
  type DriftReport,
} from "./drift-schema.js";
export {
  fairnessReport,
  fairnessSummary,
  type FairnessInput,
  MISSING_GROUP,
  type SegmentFigures,
  segmentReport,
  selectionShares,
  wilsonRate,
  withReference,
} from "./fairness.js";
export {
  AttributeFairnessSchema,
  FAIRNESS_BAND,
  FAIRNESS_METRICS,
  FairnessEvaluationSchema,
  type FairnessEvaluation,
  FairnessReportSchema,
  type FairnessReport,
  HEADLINE_METRICS,
  MIN_GROUP_FILES,
  MIN_GROUP_POSITIVES,
} from "./fairness-schema.js";
