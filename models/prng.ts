/**
 * Seeded pseudo-random numbers for everything in models/ that needs randomness (weight init,
 * shuffling, dropout masks, the random baseline). Math.random is never used: the same seed must
 * give the same model, so that an auditor can retrain and compare weights.
 */

/**
 * mulberry32: a 32-bit state generator (Tommy Ettinger, public domain). Fast, tiny state, and
 * good enough statistically for shuffles and initialisation; not for cryptography.
 * Returns floats in [0, 1).
 */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Derives an independent sub-seed from a seed and a stream name (FNV-1a of the name mixed with
 * the seed, then one splitmix32-style finaliser), so that e.g. "init" and "shuffle" never share
 * a sequence and adding a new stream does not shift the others.
 */
export const deriveSeed = (seed: number, stream: string): number => {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** Fisher–Yates shuffle in place with the given generator (unbiased; one draw per element). */
export const shuffleInPlace = (values: Uint32Array | Int32Array, rand: () => number): void => {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
};

/** 0..n-1 in a seeded random order. */
export const seededPermutation = (n: number, seed: number): Int32Array => {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, mulberry32(seed));
  return order;
};
