import { aucRoc, rankDescending } from "./metrics.js";
import {
  type AttributeFairness,
  FAIRNESS_BAND,
  FAIRNESS_METRICS,
  type FairnessMetric,
  type FairnessReport,
  type GroupFairness,
  type GroupRates,
  HEADLINE_METRICS,
  MIN_GROUP_FILES,
  MIN_GROUP_POSITIVES,
  type Rate,
} from "./fairness-schema.js";

/** One segment's figures when the top `capacity` share of all rows is selected. */
export interface SegmentFigures {
  segment: string;
  n: number;
  positives: number;
  /** Rows of this segment in the selected top k (ties at the cut pro rata). */
  selected: number;
  /** selected / n: compare across segments for disparate selection. */
  selectionRate: number;
  /** Positives among the selected / selected: compare for unequal precision. */
  precision: number;
  /** Positives among the selected / positives: compare for unequal opportunity. */
  recall: number;
  /** Ranking quality within the segment (NaN if a class is absent). */
  aucRoc: number;
}

/** The missing value's group name: missing is a group of its own, never dropped. */
export const MISSING_GROUP = "(missing)";
/** z of the two-sided 95 % normal interval. */
const Z95 = 1.959963984540054;

/**
 * Each row's share of the selection of the top k = round(capacity × n) rows: 1 above the cut,
 * pro rata inside the tie group at it (so equal scores are treated equally, whatever their order).
 */
export const selectionShares = (scores: ArrayLike<number>, capacity: number): { share: Float64Array; k: number } => {
  const n = scores.length;
  const share = new Float64Array(n);
  if (n === 0) return { share, k: 0 };
  const order = rankDescending(scores);
  const k = Math.max(1, Math.min(n, Math.round(capacity * n)));
  const cutScore = scores[order[k - 1]];
  let above = 0;
  let tied = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i] > cutScore) above++;
    else if (scores[i] === cutScore) tied++;
  }
  const tieShare = tied ? (k - above) / tied : 0;
  for (let i = 0; i < n; i++) share[i] = scores[i] > cutScore ? 1 : scores[i] === cutScore ? tieShare : 0;
  return { share, k };
};

export const groupRows = (segments: ArrayLike<string | null>): Map<string, number[]> => {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i] ?? MISSING_GROUP;
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = []));
    rows.push(i);
  }
  return groups;
};

/** Natural order ("2" before "10"), so score deciles and numeric segments read in order. */
export const byValue = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/**
 * Per-segment report for one capacity (segments are attributes with role "segment"): one list
 * of the top k = round(capacity × n) rows overall, then, for each segment, how many it got and
 * how good those picks were. Each line carries its n and positives; small segments are noisy.
 */
export const segmentReport = (
  labels: Uint8Array,
  scores: Float32Array,
  segments: ArrayLike<string | null>,
  capacity: number,
): SegmentFigures[] => {
  const { share } = selectionShares(scores, capacity);
  return [...groupRows(segments).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([segment, rows]) => {
      const y = Uint8Array.from(rows, (i) => labels[i]);
      const s = Float32Array.from(rows, (i) => scores[i]);
      let positives = 0;
      let selected = 0;
      let hits = 0;
      for (const i of rows) {
        positives += labels[i];
        selected += share[i];
        hits += share[i] * labels[i];
      }
      return {
        segment,
        n: rows.length,
        positives,
        selected,
        selectionRate: selected / rows.length,
        precision: selected ? hits / selected : Number.NaN,
        recall: positives ? hits / positives : Number.NaN,
        aucRoc: aucRoc(y, s),
      };
    });
};

/**
 * numerator / denominator with its Wilson score interval (95 %), which stays inside [0, 1] and
 * behaves at 0 and 1 and on small groups, where the normal interval does not.
 */
export const wilsonRate = (numerator: number, denominator: number, z = Z95): Rate => {
  if (!(denominator > 0)) return { value: null, low: null, high: null, numerator, denominator };
  const p = numerator / denominator;
  const z2 = z * z;
  const scale = 1 + z2 / denominator;
  const centre = (p + z2 / (2 * denominator)) / scale;
  const half = (z / scale) * Math.sqrt((p * (1 - p)) / denominator + z2 / (4 * denominator * denominator));
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), numerator, denominator };
};

/** Counts and rates of one group under a selection (no judgement yet). */
export const groupRates = (value: string, rows: ArrayLike<number>, labels: Uint8Array, share: Float64Array): GroupRates => {
  let positives = 0;
  let selected = 0;
  let hits = 0;
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j];
    positives += labels[i];
    selected += share[i];
    hits += share[i] * labels[i];
  }
  const n = rows.length;
  const negatives = n - positives;
  const falsePositives = selected - hits;
  return {
    value,
    n,
    positives,
    selected,
    baseRate: wilsonRate(positives, n),
    rates: {
      selectionRate: wilsonRate(selected, n),
      precision: wilsonRate(hits, selected),
      fdr: wilsonRate(falsePositives, selected),
      fpr: wilsonRate(falsePositives, negatives),
      fnr: wilsonRate(positives - hits, positives),
      recall: wilsonRate(hits, positives),
    },
  };
};

/**
 * Outside the band, with a relative tolerance of 1e-9: ratios of count rates such as (4/10)/(5/10)
 * land a rounding error off 0.8, and a ratio exactly on the edge is inside (the rule's wording).
 */
export const outsideBand = (ratio: number, band: { low: number; high: number } = FAIRNESS_BAND): boolean =>
  ratio < band.low * (1 - 1e-9) || ratio > band.high * (1 + 1e-9);

const judgeable = (g: GroupRates) => g.n >= MIN_GROUP_FILES && g.positives >= MIN_GROUP_POSITIVES;

/** The largest group (ties by natural order), the default reference. */
export const largestGroup = (groups: GroupRates[]): string =>
  groups.reduce((best, g) => (g.n > best.n || (g.n === best.n && byValue(g.value, best.value) < 0) ? g : best)).value;

/**
 * Judges each group against the reference: ratio of every metric to the reference's, flagged
 * outside the band when both groups are large enough to judge. Pure over the stored rates, so an
 * officer's choice of reference re-judges a stored report without the rows.
 */
export const judgeAttribute = (
  attribute: string,
  kind: AttributeFairness["kind"],
  groups: GroupRates[],
  reference?: string,
  opts: { selectionOnFiles?: boolean } = {},
): AttributeFairness => {
  const refValue = reference ?? largestGroup(groups);
  const ref = groups.find((g) => g.value === refValue);
  if (!ref) throw new RangeError(`"${refValue}" is not a group of ${attribute}`);
  const refJudgeable = judgeable(ref);
  // With outcomes known for a few files only, the selection rate needs files, not positives.
  const bigEnough = (g: GroupRates) => g.n >= MIN_GROUP_FILES;
  const judged: GroupFairness[] = groups.map((g) => {
    const ok = judgeable(g);
    const disparity = {} as GroupFairness["disparity"];
    const flags: FairnessMetric[] = [];
    for (const m of FAIRNESS_METRICS) {
      const a = g.rates[m].value;
      const b = ref.rates[m].value;
      const ratio = a !== null && b !== null && b > 0 ? a / b : null;
      const both = opts.selectionOnFiles && m === "selectionRate" ? bigEnough(g) && bigEnough(ref) : ok && refJudgeable;
      const flagged = both && ratio !== null && outsideBand(ratio);
      disparity[m] = { ratio, flagged };
      if (flagged) flags.push(m);
    }
    const note = !ok
      ? opts.selectionOnFiles && bigEnough(g)
        ? `outcome rates too small to judge: ${g.labelled ?? g.n} files with an outcome, ${g.positives} positives (needs ≥ ${MIN_GROUP_POSITIVES}); the selection rate is judged`
        : `too small to judge: ${g.n} files, ${g.positives} positives (needs ≥ ${MIN_GROUP_FILES} and ≥ ${MIN_GROUP_POSITIVES})`
      : !refJudgeable
        ? `the reference group "${refValue}" is too small to judge against`
        : null;
    return { ...g, judgeable: ok, note, disparity, flags };
  });
  return {
    attribute,
    kind,
    reference: refValue,
    referenceChosen: reference !== undefined,
    groups: judged,
    headlineFlags: judged.filter((g) => g.flags.some((f) => HEADLINE_METRICS.includes(f))).length,
    flaggedGroups: judged.filter((g) => g.flags.length > 0).length,
    tooSmallGroups: judged.filter((g) => !g.judgeable).length,
  };
};

/** Decile of each row by score rank ("1" = the top tenth), ties split by rank like the calibration table. */
export const scoreDeciles = (scores: ArrayLike<number>): string[] => {
  const n = scores.length;
  const order = rankDescending(scores);
  const out: string[] = new Array(n);
  for (let r = 0; r < n; r++) out[order[r]] = String(Math.floor((r * 10) / n) + 1);
  return out;
};

export interface FairnessInput {
  labels: Uint8Array;
  scores: ArrayLike<number>;
  /** Per segment attribute, each row's value as text (null = missing). */
  segments: Record<string, ArrayLike<string | null>>;
  capacity: number;
  /** Per attribute, the reference group chosen by the officer (default: the largest group). */
  reference?: Record<string, string>;
}

/**
 * The fairness report at one capacity: the top k rows overall are selected, then for every
 * segment attribute (and the score deciles, a sanity view) each group's count, base rate,
 * selection rate, precision, FDR, FPR, FNR and recall with Wilson intervals, and their
 * disparities against the reference group.
 */
export const fairnessReport = (input: FairnessInput): FairnessReport => {
  const { labels, scores, capacity } = input;
  const { share, k } = selectionShares(scores, capacity);
  const attribute = (name: string, kind: AttributeFairness["kind"], values: ArrayLike<string | null>) => {
    const groups = [...groupRows(values).entries()]
      .sort(([a], [b]) => byValue(a, b))
      .map(([value, rows]) => groupRates(value, rows, labels, share));
    return judgeAttribute(name, kind, groups, input.reference?.[name]);
  };
  let positives = 0;
  for (const y of labels) positives += y;
  return {
    capacity,
    k,
    n: labels.length,
    positives,
    level: 0.95,
    band: { ...FAIRNESS_BAND },
    minFiles: MIN_GROUP_FILES,
    minPositives: MIN_GROUP_POSITIVES,
    attributes: [
      ...Object.entries(input.segments).map(([name, values]) => attribute(name, "segment", values)),
      ...(labels.length > 0 ? [attribute("score_decile", "score-decile", scoreDeciles(scores))] : []),
    ],
  };
};

/** A stored report re-judged against other reference groups (per attribute); unknown groups throw RangeError. */
export const withReference = (report: FairnessReport, reference: Record<string, string>): FairnessReport => ({
  ...report,
  attributes: report.attributes.map((a) =>
    reference[a.attribute] === undefined
      ? a
      : judgeAttribute(a.attribute, a.kind, a.groups, reference[a.attribute], { selectionOnFiles: report.labels !== undefined }),
  ),
});

/**
 * The counts an audit event keeps of a stored evaluation's fairness: per capacity and segment
 * attribute, the reference, flagged groups (all and on the FDR/FPR headline) and groups too small.
 */
export const fairnessSummary = (reports: FairnessReport[]) =>
  reports.flatMap((r) =>
    r.attributes
      .filter((a) => a.kind === "segment")
      .map((a) => ({
        capacity: r.capacity,
        attribute: a.attribute,
        reference: a.reference,
        flaggedGroups: a.flaggedGroups,
        headlineFlags: a.headlineFlags,
        tooSmallGroups: a.tooSmallGroups,
      })),
  );
