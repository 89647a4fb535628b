import { MIN_GROUP_FILES, MIN_GROUP_POSITIVES, FAIRNESS_BAND, type FairnessReport, type GroupRates } from "./fairness-schema.js";
import { byValue, groupRows, judgeAttribute, scoreDeciles, wilsonRate } from "./fairness.js";

/**
 * Fairness of a selection made on a live population, where only the controlled files have an
 * outcome (a scoring run's files at a capacity, or a control list's picks against its unit's
 * scored files). Counts and selection rates use every file; the outcome rates use the files whose
 * outcome is known, so they describe the controlled files, which past lists chose (not a random
 * sample: read them as "among the files controlled so far").
 */
export interface SelectionFairnessInput {
  /** Each file's share of the selection: 1 selected, 0 not, a fraction at a tie (models/fairness.ts selectionShares). */
  share: Float64Array;
  /** The selection's size (files). */
  k: number;
  /** The capacity as a share of the population (k / n for a list). */
  capacity: number;
  /** The scores of the population, for the score-decile sanity view. */
  scores: ArrayLike<number>;
  /** The outcome of file i (1 irregular), read only where known[i] = 1. */
  labels: Uint8Array;
  known: Uint8Array;
  /** population: FPR, FNR and recall over the labelled files; selection: only the picks' outcomes are known, so those three stay undefined. */
  labelScope: "population" | "selection";
  segments: Record<string, ArrayLike<string | null>>;
  reference?: Record<string, string>;
}

/** One group's counts and rates, outcome rates over its labelled files only. */
export const partialGroupRates = (
  value: string,
  rows: ArrayLike<number>,
  input: Pick<SelectionFairnessInput, "share" | "labels" | "known" | "labelScope">,
): GroupRates => {
  const { share, labels, known } = input;
  let selected = 0;
  let labelled = 0;
  let positives = 0;
  let selectedLabelled = 0;
  let hits = 0;
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j];
    selected += share[i];
    if (!known[i]) continue;
    labelled++;
    positives += labels[i];
    selectedLabelled += share[i];
    hits += share[i] * labels[i];
  }
  const falsePositives = selectedLabelled - hits;
  const population = input.labelScope === "population";
  const none = wilsonRate(0, 0);
  return {
    value,
    n: rows.length,
    positives,
    selected,
    labelled,
    baseRate: wilsonRate(positives, labelled),
    rates: {
      selectionRate: wilsonRate(selected, rows.length),
      precision: wilsonRate(hits, selectedLabelled),
      fdr: wilsonRate(falsePositives, selectedLabelled),
      fpr: population ? wilsonRate(falsePositives, labelled - positives) : none,
      fnr: population ? wilsonRate(positives - hits, positives) : none,
      recall: population ? wilsonRate(hits, positives) : none,
    },
  };
};

/**
 * The report of models/fairness.ts fairnessReport for a selection on a partly labelled population:
 * same groups (segment attributes, then score deciles), Wilson intervals, band and small-group
 * rule, with the selection rate judged on files alone.
 */
export const selectionFairnessReport = (input: SelectionFairnessInput): FairnessReport => {
  const attribute = (name: string, kind: "segment" | "score-decile", values: ArrayLike<string | null>) => {
    const groups = [...groupRows(values).entries()].sort(([a], [b]) => byValue(a, b)).map(([value, rows]) => partialGroupRates(value, rows, input));
    return judgeAttribute(name, kind, groups, input.reference?.[name], { selectionOnFiles: true });
  };
  const n = input.share.length;
  let labelled = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (!input.known[i]) continue;
    labelled++;
    positives += input.labels[i];
  }
  return {
    capacity: input.capacity,
    k: input.k,
    n,
    positives,
    level: 0.95,
    band: { ...FAIRNESS_BAND },
    minFiles: MIN_GROUP_FILES,
    minPositives: MIN_GROUP_POSITIVES,
    labels: { scope: input.labelScope, labelled },
    attributes: [
      ...Object.entries(input.segments).map(([name, values]) => attribute(name, "segment", values)),
      ...(n > 0 ? [attribute("score_decile", "score-decile", scoreDeciles(input.scores))] : []),
    ],
  };
};
