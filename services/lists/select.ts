/**
 * Control-list selection, pure: no database, no clock, no Math.random. Given a scored population
 * (ranked once), the files that are not eligible, a capacity, an exploration share and a seed, it
 * returns the same picks, probabilities and positions every time, so an auditor can recompute a
 * list from its stored parameters.
 *
 * Counting rule (documented for inspectors and auditors):
 *   k        = min(capacity, nEligible)
 *   nExplore = k < nEligible ? floor(k × explorationShare) : 0
 *   nModel   = k − nExplore
 * floor, so a list never holds more exploration than asked. When the capacity covers every eligible
 * file, every file is selected with probability 1, so all picks are model picks.
 *
 * Probabilities: a model pick is certain (1). An exploration pick is one of nExplore files drawn
 * uniformly without replacement from the nEligible − nModel eligible files the model did not pick,
 * so each such file is included with probability nExplore / (nEligible − nModel), exactly.
 */
import { deriveSeed, mulberry32 } from "../../models/prng.js";

export const RANKINGS = ["risk", "yield"] as const;
export type Ranking = (typeof RANKINGS)[number];

/** One scored file as the selection sees it. */
export interface Candidate {
  fileId: string;
  score: number;
  /** The schema's amount attribute, for yield ranking; missing counts as 0 expected yield. */
  amount?: number | null;
}

/** A population ordered best first; `index` maps a file id to its rank. */
export interface RankedPool {
  ids: string[];
  scores: Float64Array;
  index: Map<string, number>;
}

export interface SelectionOptions {
  capacity: number;
  explorationShare: number;
  seed: number;
}

/** One pick of a list, with where it goes and how likely it was to be chosen. */
export interface Pick {
  position: number;
  fileId: string;
  score: number;
  selectedBy: "model" | "exploration";
  selectionProbability: number;
}

export interface Selection {
  picks: Pick[];
  nEligible: number;
  nModel: number;
  nExplore: number;
}

const byRankValue = (value: (c: Candidate) => number) => (a: Candidate, b: Candidate) => {
  const d = value(b) - value(a);
  if (d !== 0) return d;
  // Ties by file id (code-unit order), so equal scores never make the order depend on input order.
  return a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0;
};

/** Expected yield of a file: score × amount, with a missing or non-finite amount counting as 0. */
export const expectedYield = (c: Candidate): number =>
  c.amount !== null && c.amount !== undefined && Number.isFinite(c.amount) ? c.score * c.amount : 0;

/** Orders candidates best first by risk (score) or yield (score × amount); ties by file id. */
export function rankCandidates(candidates: readonly Candidate[], ranking: Ranking): RankedPool {
  const sorted = [...candidates].sort(byRankValue(ranking === "risk" ? (c) => c.score : expectedYield));
  const ids = sorted.map((c) => c.fileId);
  const scores = Float64Array.from(sorted, (c) => c.score);
  return { ids, scores, index: new Map(ids.map((id, i) => [id, i])) };
}

/** The counting rule above, as numbers. */
export function selectionCounts(nEligible: number, capacity: number, explorationShare: number) {
  const k = Math.min(capacity, nEligible);
  const nExplore = k < nEligible ? Math.floor(k * explorationShare) : 0;
  return { k, nModel: k - nExplore, nExplore };
}

/**
 * The ranks of a pool that are not eligible (controlled recently, on an open list, filtered out),
 * as a mask: a lookup is one array read, and a cached copy can be extended by the picks of each
 * new list instead of being rebuilt from file ids.
 */
export class ExcludedRanks {
  private readonly mask: Uint8Array;
  /** How many ranks are excluded. */
  count = 0;

  constructor(nPool: number) {
    this.mask = new Uint8Array(nPool);
  }

  /** The ranks of `ids` in `pool`; ids outside the pool are not counted (they cannot be picked). */
  static of(pool: RankedPool, ids: Iterable<string>): ExcludedRanks {
    return new ExcludedRanks(pool.ids.length).addIds(pool, ids);
  }

  has(rank: number): boolean {
    return this.mask[rank] === 1;
  }

  add(rank: number): void {
    if (this.mask[rank] === 1) return;
    this.mask[rank] = 1;
    this.count++;
  }

  addIds(pool: RankedPool, ids: Iterable<string>): this {
    for (const id of ids) {
      const rank = pool.index.get(id);
      if (rank !== undefined) this.add(rank);
    }
    return this;
  }
}

/**
 * Selects from a ranked pool, skipping the `excluded` ranks. Cost is O(capacity + excluded ranks
 * above the last model pick) expected, not O(pool): exploration draws ranks uniformly and rejects
 * ineligible ones, which is still uniform over the eligible remainder. When that remainder is
 * under 1/8 of the pool, it is enumerated instead, to bound the rejections.
 */
export function selectFromPool(pool: RankedPool, excluded: ExcludedRanks, opts: SelectionOptions): Selection {
  const nPool = pool.ids.length;
  const nEligible = nPool - excluded.count;
  const { nModel, nExplore } = selectionCounts(nEligible, opts.capacity, opts.explorationShare);

  const model: number[] = [];
  const taken = new Set<number>();
  for (let r = 0; r < nPool && model.length < nModel; r++) {
    if (excluded.has(r)) continue;
    model.push(r);
    taken.add(r);
  }

  const explore: number[] = [];
  const remainder = nEligible - nModel;
  if (nExplore > 0) {
    const rand = mulberry32(deriveSeed(opts.seed, "exploration"));
    if (remainder * 8 >= nPool) {
      while (explore.length < nExplore) {
        const r = Math.floor(rand() * nPool);
        if (taken.has(r) || excluded.has(r)) continue;
        taken.add(r);
        explore.push(r);
      }
    } else {
      const rest: number[] = [];
      for (let r = 0; r < nPool; r++) if (!taken.has(r) && !excluded.has(r)) rest.push(r);
      // Partial Fisher–Yates: the first nExplore slots are a uniform sample without replacement.
      for (let i = 0; i < nExplore; i++) {
        const j = i + Math.floor(rand() * (rest.length - i));
        [rest[i], rest[j]] = [rest[j], rest[i]];
        explore.push(rest[i]);
      }
    }
  }

  const pExplore = nExplore > 0 ? nExplore / remainder : 0;
  const slots = interleave(nModel, nExplore, opts.seed);
  let m = 0;
  let e = 0;
  const picks: Pick[] = slots.map((kind, position) => {
    const r = kind === "model" ? model[m++] : explore[e++];
    return {
      position: position + 1,
      fileId: pool.ids[r],
      score: pool.scores[r],
      selectedBy: kind,
      selectionProbability: kind === "model" ? 1 : pExplore,
    };
  });
  return { picks, nEligible, nModel, nExplore };
}

/**
 * Which positions hold exploration picks: a seeded uniform choice of nExplore of the k slots, so
 * position says nothing about how a file was picked. Model picks keep their rank order in the
 * other slots (the list stays prioritized); exploration picks fill theirs in draw order, which is
 * already random.
 */
export function interleave(nModel: number, nExplore: number, seed: number): ("model" | "exploration")[] {
  const k = nModel + nExplore;
  const slots: ("model" | "exploration")[] = new Array(k).fill("model");
  const rand = mulberry32(deriveSeed(seed, "interleave"));
  const order = Array.from({ length: k }, (_, i) => i);
  for (let i = 0; i < nExplore; i++) {
    const j = i + Math.floor(rand() * (k - i));
    [order[i], order[j]] = [order[j], order[i]];
    slots[order[i]] = "exploration";
  }
  return slots;
}

/** The whole selection from eligible candidates only (nothing excluded): rank, pick, interleave. */
export function selectControlList(
  candidates: readonly Candidate[],
  opts: SelectionOptions & { ranking: Ranking },
): Selection {
  const pool = rankCandidates(candidates, opts.ranking);
  return selectFromPool(pool, new ExcludedRanks(pool.ids.length), opts);
}
