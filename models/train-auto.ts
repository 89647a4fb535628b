import { LOGISTIC_PARAMS } from "./baselines.js";
import { applyPlatt, fitPlatt } from "./calibration.js";
import { type EnsembleMember, mergeNetworks } from "./ensemble.js";
import { aucRoc, logLoss } from "./metrics.js";
import { predictLogits } from "./predict.js";
import { disposeNetwork, toTensors } from "./network.js";
import { deriveSeed } from "./prng.js";
import { type TrainInput, type TrainResult, trainModel } from "./train.js";
import { sizeParams, TrainParams, type TrainParamsInput } from "./train-params.js";

/** What one member of the default training's ensemble did (stored with the model's metrics). */
export interface MemberReport {
  group: string;
  seed: number;
  epochs: number;
  bestEpoch: number;
  stopReason: TrainResult["stopReason"];
  valAucRoc: number;
  durationMs: number;
}

/** The ensemble behind a trainAuto model: members, the chosen blend, and what the budget cut. */
export interface EnsembleReport {
  members: MemberReport[];
  /** Weight of each group's mean logit in the blend (groups: "given", "narrow", "logistic"). */
  blend: Record<string, number>;
  /** Validation ROC-AUC of every blend tried, the chosen one first. */
  candidates: { blend: Record<string, number>; valLogLoss: number; valAucRoc: number }[];
  /** Members planned but not trained because the budget ran out. */
  skipped: number;
}

export interface TrainAutoInput extends TrainInput {
  /** Called before each member trains (for progress and cancellation between members). */
  onMember?: (member: { index: number; count: number; group: string }) => void | Promise<void>;
}

export interface TrainAutoResult extends TrainResult {
  ensemble: EnsembleReport;
}

/** The narrower alternative the search tries: one layer of half the width, more dropout. */
const narrow = (p: TrainParams): TrainParamsInput => ({ ...p, layers: 1, hiddenUnits: Math.max(8, Math.floor(p.hiddenUnits / 2)), dropout: 0.2 });

/** Blends tried on validation, equal weights first (kept on ties: the least tuned choice). */
const blendsFor = (groups: string[]): Record<string, number>[] => {
  const out: Record<string, number>[] = [Object.fromEntries(groups.map((g) => [g, 1 / groups.length]))];
  if (groups.length < 2) return out;
  for (const g of groups) out.push({ [g]: 1 });
  if (groups.length === 3) for (const g of groups) out.push(Object.fromEntries(groups.filter((h) => h !== g).map((h) => [h, 0.5])));
  return out;
};

/**
 * The default training: the given architecture over `ensembleSeeds` seeds and, with `search`, a
 * narrower one-layer network over as many seeds and a logistic regression; the groups' mean
 * logits are blended with the weights that give the lowest calibrated validation log loss among
 * a handful of fixed blends. Batch size, epochs and patience are sized from the rows where not
 * given (sizeParams). Everything fits in params.budgetSeconds: the first member always trains
 * (stopping at the budget like trainModel), later ones are skipped when the time a member took
 * no longer fits. The blend is merged into one exact network (mergeNetworks), so the artifact,
 * scoring and explanations are those of a single MLP. `history`, `bestEpoch` and `stopReason`
 * are the first member's (the given architecture and seed, whose epochs onEpoch reports).
 */
export const trainAuto = async (input: TrainAutoInput): Promise<TrainAutoResult> => {
  const started = performance.now();
  const given = TrainParams.parse(sizeParams(input.params ?? {}, input.y.length));
  const plan: { group: string; params: TrainParamsInput; seed: number }[] = [];
  for (let k = 0; k < given.ensembleSeeds; k++) {
    plan.push({ group: "given", params: given, seed: k === 0 ? input.seed : deriveSeed(input.seed, `ensemble-${k}`) });
  }
  if (given.search) {
    const narrowParams = narrow(given);
    for (let k = 0; k < given.ensembleSeeds; k++) plan.push({ group: "narrow", params: narrowParams, seed: deriveSeed(input.seed, `narrow-${k}`) });
    const logistic = sizeParams({ ...LOGISTIC_PARAMS, budgetSeconds: given.budgetSeconds }, input.y.length);
    plan.push({ group: "logistic", params: logistic, seed: deriveSeed(input.seed, "logistic") });
  }
  const trained: { group: string; seed: number; result: TrainResult }[] = [];
  let skipped = 0;
  let longest = 0;
  for (const [index, member] of plan.entries()) {
    const left = given.budgetSeconds - (performance.now() - started) / 1000;
    if (index > 0 && left * 1000 < longest) {
      skipped = plan.length - index;
      break;
    }
    await input.onMember?.({ index, count: plan.length, group: member.group });
    const result = await trainModel({
      ...input,
      params: { ...member.params, budgetSeconds: Math.max(left, 1e-3) },
      seed: member.seed,
      onEpoch: index === 0 ? input.onEpoch : undefined,
    });
    longest = Math.max(longest, result.durationMs);
    trained.push({ group: member.group, seed: member.seed, result });
  }

  // Each member's raw validation logits (trainModel keeps calibrated scores only).
  const nVal = input.valY.length;
  const logitsOf = (r: TrainResult): Float32Array => {
    const net = toTensors(r.network);
    try {
      return predictLogits(net, input.valX, nVal);
    } finally {
      disposeNetwork(net);
    }
  };
  const groups = [...new Set(trained.map((t) => t.group))];
  const groupLogits = new Map<string, Float64Array>();
  for (const g of groups) {
    const members = trained.filter((t) => t.group === g);
    const mean = new Float64Array(nVal);
    for (const m of members) logitsOf(m.result).forEach((z, i) => (mean[i] += z / members.length));
    groupLogits.set(g, mean);
  }
  const candidates = blendsFor(groups).map((blend) => {
    const z = new Float32Array(nVal);
    for (const [g, w] of Object.entries(blend)) groupLogits.get(g)!.forEach((v, i) => (z[i] += w * v));
    const probs = applyPlatt(fitPlatt(z, input.valY, input.valWeights), z);
    return { blend, valLogLoss: logLoss(input.valY, probs), valAucRoc: aucRoc(input.valY, z) };
  });
  const chosen = candidates.reduce((best, c) => (c.valLogLoss < best.valLogLoss - 1e-9 ? c : best));
  const members: EnsembleMember[] = trained
    .filter((t) => (chosen.blend[t.group] ?? 0) > 0)
    .map((t) => ({ network: t.result.network, weight: chosen.blend[t.group] / trained.filter((u) => u.group === t.group).length }));
  const network = mergeNetworks(members);
  const merged = toTensors(network);
  let valLogits: Float32Array;
  try {
    valLogits = predictLogits(merged, input.valX, nVal);
  } finally {
    disposeNetwork(merged);
  }
  const calibration = fitPlatt(valLogits, input.valY, input.valWeights);
  const first = trained[0].result;
  return {
    ...first,
    // The officer's settings as given (sized), not the first member's remaining budget.
    params: given,
    network,
    calibration,
    valScores: applyPlatt(calibration, valLogits),
    durationMs: performance.now() - started,
    ensemble: {
      members: trained.map(({ group, seed, result: r }) => ({
        group,
        seed,
        epochs: r.history.length,
        bestEpoch: r.bestEpoch,
        stopReason: r.stopReason,
        valAucRoc: r.history[r.bestEpoch - 1].valAucRoc,
        durationMs: Math.round(r.durationMs),
      })),
      blend: chosen.blend,
      candidates: [chosen, ...candidates.filter((c) => c !== chosen)],
      skipped,
    },
  };
};
