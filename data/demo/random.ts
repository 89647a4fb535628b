/**
 * Seeded pseudo-random numbers for the demo generator. Never `Math.random`: the same seed must give the
 * same population on every machine and every Node version.
 *
 * Each file draws from its own stream, keyed by (seed, file index, purpose), so a file's values do not
 * depend on how many files come before or after it, nor on how many draws another purpose makes.
 */

import { mulberry32 } from "../../models/prng.js";

/** murmur3's 32-bit finalizer: a bijective avalanche mix, used to derive stream keys. */
const fmix32 = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** The 32-bit key of stream `purpose` of file `index` under `seed` (all three taken modulo 2^32). */
export const streamKey = (seed: number, index: number, purpose: number): number => {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(index >>> 0, 0x85ebca77));
  h = fmix32(h ^ Math.imul((purpose >>> 0) + 1, 0xc2b2ae3d));
  return h;
};

/**
 * A small uniform generator over mulberry32 (models/prng.ts, the project's one seeded generator),
 * 32-bit state, period 2^32, which is plenty for the few hundred draws one file makes.
 */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(key: number) {
    this.next = mulberry32(key);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Integer uniform in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Standard normal (Box-Muller; one of the pair is discarded to keep the stream stateless). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given log-scale mean and standard deviation. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Poisson count (Knuth's product method; fine for the small means used here). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k += 1;
      p *= this.next();
    }
    return k;
  }

  /** One of `values`, drawn with the given non-negative weights (same length). */
  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < values.length; i += 1) {
      r -= weights[i];
      if (r < 0) return values[i];
    }
    return values[values.length - 1];
  }
}

/** The stream of `purpose` for file `index` under `seed`. */
export const rngFor = (seed: number, index: number, purpose: number): Rng => new Rng(streamKey(seed, index, purpose));
