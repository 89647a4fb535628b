import { z } from "zod";
import { deriveSeed, mulberry32 } from "./prng.js";
import { Interval } from "./verdict.js";

/**
 * Off-policy yield estimates: what a candidate model's list would have found, estimated from past
 * controls that other policies selected, each with the probability it had of being selected.
 *
 * The candidate's list at capacity c is the files whose score is at or above t, the score of the
 * k = round(c × N)-th file of a target population (the candidate's scores of N files). Past controls
 * (manual picks excluded: they have no propensity) weigh w = 1 / propensity; a control "is in the
 * list" when its candidate score is above t, and by the tie share (k − above) / tied when it equals
 * t (each sum below weighs it so). With S the controls in the list and N̂ = Σ w over all
 * controls (unbiased for the number of eligible files the past lists drew from):
 * - IPS: Σ_S w·y / (c·N̂);
 * - SNIPS (self-normalized): Σ_S w·y / Σ_S w;
 * - doubly robust (Dudik et al. 2011): mean of the reward model m over the target population's list,
 *   plus the IPS-weighted residuals Σ_S w·(y − m) / (c·N̂); m is the candidate's calibrated score.
 * - naive: the plain hit rate of the controls in S, biased toward what the old policy chose.
 * The amount found per control uses y·amount, with m·ā as its reward model (ā the weighted mean
 * amount of positive controls). Percentile bootstrap intervals resample the controls.
 */

export const OffPolicyOptions = z.object({
  resamples: z.number().int().min(20).max(5000).default(300),
  level: z.number().gt(0.5).lt(1).default(0.95),
  seed: z.number().int().default(1),
});
export type OffPolicyOptions = z.input<typeof OffPolicyOptions>;

export interface LoggedControl {
  /** The candidate's score of the controlled file. */
  score: number;
  /** The probability the control had of being selected (0 < p ≤ 1). */
  propensity: number;
  outcome: number;
  amount: number | null;
}

/** Fewer controls in the candidate's list (or effective size, or positives) and the estimates are not to be trusted. */
export const MIN_SUPPORT = 30;
export const MIN_SUPPORT_POSITIVES = 5;

const Estimates = z.object({ ips: Interval, snips: Interval, dr: Interval, naive: Interval });

export const OffPolicyEstimateSchema = z.object({
  capacity: z.number(),
  populationSize: z.number().int(),
  k: z.number().int(),
  threshold: z.number().nullable(),
  controls: z.number().int(),
  support: z.object({
    /** Past controls the candidate's list would have contained. */
    controls: z.number().int(),
    positives: z.number().int(),
    /** Kish effective sample size of their weights: (Σw)² / Σw². */
    effectiveSize: z.number(),
    thin: z.boolean(),
  }),
  /** The plain hit rate of all past controls used (what past lists found). */
  pastHitRate: z.number().nullable(),
  hitRate: Estimates,
  amountPerControl: Estimates,
  resamples: z.number().int(),
  level: z.number(),
  warnings: z.array(z.string()),
});
export type OffPolicyEstimate = z.infer<typeof OffPolicyEstimateSchema>;

/**
 * The candidate's list cut: files scored above `t` are in it, files tied at `t` each by `tieShare`
 * = (k − above) / tied, so the list holds exactly k files whatever the ties (a model with few
 * distinct scores, such as a rule, ties whole blocks of files at the cut; counting them all in
 * made IPS divide a larger list's hits by k).
 */
interface Cut {
  t: number;
  tieShare: number;
}
const inList = (cut: Cut, score: number) => (score > cut.t ? 1 : score === cut.t ? cut.tieShare : 0);

interface PointEstimates {
  hit: [number, number, number, number];
  amount: [number, number, number, number];
}

/** The four estimates (IPS, SNIPS, DR, naive) of hit rate and amount per control on one (re)sample. */
const estimate = (controls: LoggedControl[], rows: ArrayLike<number>, cut: Cut, c: number, meanM: number): PointEstimates => {
  let nHat = 0;
  let sw = 0;
  let swy = 0;
  let swa = 0;
  let swr = 0;
  let ny = 0;
  let na = 0;
  let nS = 0;
  let posW = 0;
  let posWA = 0;
  for (let j = 0; j < rows.length; j++) {
    const x = controls[rows[j]];
    const w = 1 / x.propensity;
    nHat += w;
    const ya = x.outcome ? (x.amount ?? 0) : 0;
    if (x.outcome) {
      posW += w;
      posWA += w * (x.amount ?? 0);
    }
    const s = inList(cut, x.score);
    if (s === 0) continue;
    nS += s;
    sw += w * s;
    swy += w * s * x.outcome;
    swa += w * s * ya;
    swr += w * s * (x.outcome - x.score);
    ny += s * x.outcome;
    na += s * ya;
  }
  const aBar = posW > 0 ? posWA / posW : 0;
  // Residuals of the amount model m·ā, from the same sums.
  const swrA = swa - aBar * (swy - swr);
  const denom = c * nHat;
  const nan = Number.NaN;
  return {
    hit: [denom ? swy / denom : nan, sw ? swy / sw : nan, denom ? meanM + swr / denom : nan, nS ? ny / nS : nan],
    amount: [denom ? swa / denom : nan, sw ? swa / sw : nan, denom ? meanM * aBar + swrA / denom : nan, nS ? na / nS : nan],
  };
};

const percentile = (sorted: number[], q: number): number | null => {
  if (sorted.length === 0) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
};

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Estimates the hit rate and the amount found per control of the candidate's list at `capacity`
 * (a share of `population`, the candidate's calibrated scores of the target files) from past
 * `controls`. Deterministic for a seed.
 */
export function offPolicyEstimate(
  controls: LoggedControl[],
  population: ArrayLike<number>,
  capacity: number,
  options: OffPolicyOptions = {},
): OffPolicyEstimate {
  const opts = OffPolicyOptions.parse(options);
  for (const x of controls) {
    if (!(x.propensity > 0 && x.propensity <= 1)) throw new RangeError(`propensity ${x.propensity} is not in (0, 1]`);
  }
  const sorted = Float64Array.from(population).sort().reverse();
  const N = sorted.length;
  const k = N ? Math.max(1, Math.min(N, Math.round(capacity * N))) : 0;
  const t = k ? sorted[k - 1] : Number.POSITIVE_INFINITY;
  let sumM = 0;
  for (let i = 0; i < k; i++) sumM += sorted[i];
  const meanM = k ? sumM / k : 0;
  let above = 0;
  let tied = 0;
  for (let i = 0; i < N; i++) {
    if (sorted[i] > t) above++;
    else if (sorted[i] === t) tied++;
    else break;
  }
  const cut: Cut = { t, tieShare: tied ? (k - above) / tied : 0 };

  const all = Int32Array.from(controls.keys());
  const point = estimate(controls, all, cut, capacity, meanM);
  const rand = mulberry32(deriveSeed(opts.seed, "off-policy-bootstrap"));
  const draws = { hit: [[], [], [], []] as number[][], amount: [[], [], [], []] as number[][] };
  const sample = new Int32Array(controls.length);
  for (let b = 0; b < opts.resamples && controls.length > 0; b++) {
    for (let j = 0; j < sample.length; j++) sample[j] = Math.floor(rand() * controls.length);
    const e = estimate(controls, sample, cut, capacity, meanM);
    for (let i = 0; i < 4; i++) {
      if (Number.isFinite(e.hit[i])) draws.hit[i].push(e.hit[i]);
      if (Number.isFinite(e.amount[i])) draws.amount[i].push(e.amount[i]);
    }
  }
  const tail = (1 - opts.level) / 2;
  const intervals = (values: number[], d: number[][]) => {
    const [ips, snips, dr, naive] = values.map((v, i) => {
      const s = d[i].sort((a, b) => a - b);
      return { value: finite(v), low: percentile(s, tail), high: percentile(s, 1 - tail) };
    });
    return { ips, snips, dr, naive };
  };

  let supportN = 0;
  let positives = 0;
  let sw = 0;
  let sw2 = 0;
  let hits = 0;
  for (const x of controls) {
    hits += x.outcome;
    const s = inList(cut, x.score);
    if (s === 0) continue;
    const w = s / x.propensity;
    supportN++;
    positives += x.outcome;
    sw += w;
    sw2 += w * w;
  }
  const effectiveSize = sw2 > 0 ? (sw * sw) / sw2 : 0;
  const thin = supportN < MIN_SUPPORT || effectiveSize < MIN_SUPPORT || positives < MIN_SUPPORT_POSITIVES;
  const warnings = thin
    ? [
        `thin support: ${supportN} past controls (effective ${effectiveSize.toFixed(1)}) with ${positives} positives fall in this list (needs ≥ ${MIN_SUPPORT} and ≥ ${MIN_SUPPORT_POSITIVES}); the estimates are not to be trusted`,
      ]
    : [];
  return {
    capacity,
    populationSize: N,
    k,
    threshold: k ? t : null,
    controls: controls.length,
    support: { controls: supportN, positives, effectiveSize, thin },
    pastHitRate: controls.length ? hits / controls.length : null,
    hitRate: intervals(point.hit, draws.hit),
    amountPerControl: intervals(point.amount, draws.amount),
    resamples: opts.resamples,
    level: opts.level,
    warnings,
  };
}
