/**
 * Ranking and probability metrics over labels (Uint8Array of 0/1) and scores (Float32Array),
 * pure and allocation-light so that they run on a million rows. Ties are never broken by row
 * order: every metric below treats tied scores as one threshold (documented per function), so
 * that the figure does not depend on how the rows happened to be sorted. NaN scores rank last.
 */

const assertSameLength = (labels: Uint8Array, scores: ArrayLike<number>): void => {
  if (labels.length !== scores.length) {
    throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  }
};

const keyOf = (s: number): number => (Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s);

/** Row indices by descending score (ties in index order, which no metric here depends on). */
export const rankDescending = (scores: ArrayLike<number>): Uint32Array => {
  const keys = Float64Array.from(scores, keyOf);
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => keys[b] - keys[a] || a - b);
};

/** Number of positive labels. */
export const countPositives = (labels: Uint8Array): number => {
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i] ? 1 : 0;
  return p;
};

/**
 * Calls visit(start, end, positives) for each run of equal scores in `order` (end exclusive).
 * The shared walk behind every tie-aware metric.
 */
const forEachTieGroup = (
  labels: Uint8Array,
  scores: ArrayLike<number>,
  order: Uint32Array,
  visit: (start: number, end: number, positives: number) => void,
): void => {
  let start = 0;
  while (start < order.length) {
    const key = keyOf(scores[order[start]]);
    let end = start;
    let pos = 0;
    while (end < order.length && keyOf(scores[order[end]]) === key) {
      pos += labels[order[end]] ? 1 : 0;
      end++;
    }
    visit(start, end, pos);
    start = end;
  }
};

/**
 * Area under the ROC curve: the probability that a random positive outscores a random
 * negative, ties counting one half (equivalent to the Mann–Whitney U with average ranks).
 * NaN when either class is absent.
 */
export const aucRoc = (labels: Uint8Array, scores: ArrayLike<number>, order = rankDescending(scores)): number => {
  assertSameLength(labels, scores);
  const P = countPositives(labels);
  const N = labels.length - P;
  if (P === 0 || N === 0) return Number.NaN;
  let posAbove = 0;
  let wins = 0;
  forEachTieGroup(labels, scores, order, (start, end, pos) => {
    const neg = end - start - pos;
    wins += neg * posAbove + 0.5 * neg * pos;
    posAbove += pos;
  });
  return wins / (P * N);
};

/**
 * Average precision (area under the precision–recall curve as a step function):
 * Σ (R_t − R_{t−1}) · P_t over thresholds t at each distinct score, so a tie group enters at
 * once with the precision at its end (as scikit-learn's average_precision_score). No
 * interpolation. NaN when there are no positives.
 */
export const prAuc = (labels: Uint8Array, scores: ArrayLike<number>, order = rankDescending(scores)): number => {
  assertSameLength(labels, scores);
  const P = countPositives(labels);
  if (P === 0) return Number.NaN;
  let tp = 0;
  let ap = 0;
  forEachTieGroup(labels, scores, order, (_start, end, pos) => {
    if (pos === 0) return;
    tp += pos;
    ap += (pos / P) * (tp / end);
  });
  return ap;
};

/**
 * Expected number of positives among the top k, for every k = 0..n (length n + 1). A tie group
 * that straddles k contributes pro rata (the expectation under a random tie-break), which is
 * what a control list drawn from tied scores would find on average.
 */
export const expectedHitsCurve = (
  labels: Uint8Array,
  scores: ArrayLike<number>,
  order = rankDescending(scores),
): Float64Array => {
  assertSameLength(labels, scores);
  const cum = new Float64Array(labels.length + 1);
  forEachTieGroup(labels, scores, order, (start, end, pos) => {
    const size = end - start;
    const base = cum[start];
    for (let j = 1; j <= size; j++) cum[start + j] = base + (pos * j) / size;
  });
  return cum;
};

const clampK = (k: number, n: number): number => Math.max(0, Math.min(n, Math.round(k)));

/** Share of positives among the top k scores (ties at the cut pro rata); NaN for k = 0. */
export const precisionAtK = (labels: Uint8Array, scores: ArrayLike<number>, k: number): number => {
  const kk = clampK(k, labels.length);
  return kk === 0 ? Number.NaN : expectedHitsCurve(labels, scores)[kk] / kk;
};

/** Share of all positives that the top k scores find (ties at the cut pro rata). */
export const recallAtK = (labels: Uint8Array, scores: ArrayLike<number>, k: number): number => {
  const P = countPositives(labels);
  return P === 0 ? Number.NaN : expectedHitsCurve(labels, scores)[clampK(k, labels.length)] / P;
};

/** Precision at k over the base rate: how many times better than picking k files at random. */
export const liftAtK = (labels: Uint8Array, scores: ArrayLike<number>, k: number): number => {
  const P = countPositives(labels);
  return P === 0 ? Number.NaN : precisionAtK(labels, scores, k) / (P / labels.length);
};

/** Mean squared difference between probability and outcome (lower is better; 0.25 = coin). */
export const brierScore = (labels: Uint8Array, probs: ArrayLike<number>): number => {
  assertSameLength(labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = probs[i] - labels[i];
    sum += d * d;
  }
  return sum / labels.length;
};

/**
 * Mean negative log-likelihood. Probabilities are clipped to [eps, 1 − eps] (eps = 1e-7, about
 * float32 resolution near 1) so that one confident mistake gives a large, finite penalty.
 */
export const logLoss = (labels: Uint8Array, probs: ArrayLike<number>, eps = 1e-7): number => {
  assertSameLength(labels, probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]));
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
};
