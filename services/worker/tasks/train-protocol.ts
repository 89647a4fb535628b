import type { EpochProgress } from "../../../models/train.js";

/**
 * The messages between a train-model processor (main thread) and its `train` task (CPU thread) on
 * the MessagePort handed to the task. Kept apart from the task so the main thread does not load tfjs.
 */
export type TrainProgressMessage =
  | { type: "phase"; phase: "encoding" | "training" | "baselines" | "evaluating"; detail?: Record<string, number> }
  | ({ type: "epoch" } & EpochProgress);

/** Sent by the main thread to stop the training at the next epoch boundary. */
export const CANCEL_MESSAGE = "cancel";
