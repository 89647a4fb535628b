import { z } from "zod";

/**
 * Platt scaling: p = σ(a·z + b), z = the network's logit (or logit(raw score) for a model that
 * outputs probabilities). Class weights and early stopping distort the network's probabilities;
 * two parameters fitted on the validation set give back probabilities that match observed
 * rates, while keeping the ranking (a > 0 in practice) and the explanations' logit scale.
 */
export const PlattCalibration = z.object({
  method: z.literal("platt"),
  a: z.number(),
  b: z.number(),
  /** Rows and positives it was fitted on. */
  n: z.number().int().nonnegative(),
  positives: z.number().int().nonnegative(),
});
export type PlattCalibration = z.infer<typeof PlattCalibration>;

/** The identity calibration (p = σ(z)), for models not yet calibrated. */
export const IDENTITY_CALIBRATION: PlattCalibration = { method: "platt", a: 1, b: 0, n: 0, positives: 0 };

/** log(1 + e^x) without overflow. */
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** logit of a probability, clipped to [1e-7, 1 − 1e-7] so that 0 and 1 stay finite. */
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};

/**
 * Fits a and b by Newton's method with backtracking (Lin, Lin & Weng 2007, "A note on Platt's
 * probabilistic outputs"), on Platt's smoothed targets t+ = (P+1)/(P+2), t− = 1/(N+2), which
 * keep the fit finite when validation classes are perfectly separated. Optional weights (e.g.
 * inverse propensities) weight each row's likelihood. Deterministic; no randomness.
 */
export const fitPlatt = (logits: ArrayLike<number>, labels: Uint8Array, weights?: ArrayLike<number>): PlattCalibration => {
  const n = labels.length;
  let P = 0;
  for (let i = 0; i < n; i++) P += labels[i];
  const N = n - P;
  if (P === 0 || N === 0) return { ...IDENTITY_CALIBRATION, n, positives: P };
  const hi = (P + 1) / (P + 2);
  const lo = 1 / (N + 2);
  const w = (i: number): number => (weights ? weights[i] : 1);
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const x = a * logits[i] + b;
      const t = labels[i] ? hi : lo;
      // −[t log σ(x) + (1 − t) log(1 − σ(x))] = softplus(x) − t·x
      f += w(i) * (softplus(x) - t * x);
    }
    return f;
  };
  let a = 0;
  let b = Math.log((P + 1) / (N + 1));
  let f = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const zi = logits[i];
      const p = sigmoid(a * zi + b);
      const d = w(i) * (p - (labels[i] ? hi : lo));
      const h = w(i) * p * (1 - p);
      ga += d * zi;
      gb += d;
      haa += h * zi * zi;
      hab += h * zi;
      hbb += h;
    }
    if (Math.abs(ga) < 1e-6 && Math.abs(gb) < 1e-6) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(-hab * ga + haa * gb) / det;
    let step = 1;
    let improved = false;
    while (step >= 1e-10) {
      const fa = objective(a + step * da, b + step * db);
      if (fa < f + 1e-4 * step * (ga * da + gb * db)) {
        a += step * da;
        b += step * db;
        f = fa;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { method: "platt", a, b, n, positives: P };
};

/** The calibrated logit a·z + b (explanations are in this unit). */
export const calibratedLogit = (c: PlattCalibration, z: number): number => c.a * z + c.b;

/** Calibrated probabilities σ(a·z + b) for a batch of logits, into `out` if given. */
export const applyPlatt = (c: PlattCalibration, logits: ArrayLike<number>, out = new Float32Array(logits.length)): Float32Array => {
  for (let i = 0; i < logits.length; i++) out[i] = sigmoid(c.a * logits[i] + c.b);
  return out;
};
