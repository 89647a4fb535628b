import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Candidate,
  interleave,
  rankCandidates,
  selectControlList,
  ExcludedRanks,
  selectFromPool,
  selectionCounts,
} from "../../../services/lists/select.js";

const population = (n: number, scoreOf: (i: number) => number = (i) => ((i * 7919) % 1000) / 1000): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({ fileId: `f${String(i).padStart(5, "0")}`, score: scoreOf(i), amount: (i % 13) * 10 }));

describe("selectionCounts", () => {
  it("uses floor(k × share) exploration picks and none when the capacity covers everything", () => {
    expect(selectionCounts(1000, 50, 0.1)).toEqual({ k: 50, nModel: 45, nExplore: 5 });
    expect(selectionCounts(1000, 55, 0.1)).toEqual({ k: 55, nModel: 50, nExplore: 5 });
    expect(selectionCounts(1000, 9, 0.1)).toEqual({ k: 9, nModel: 9, nExplore: 0 });
    expect(selectionCounts(30, 50, 0.1)).toEqual({ k: 30, nModel: 30, nExplore: 0 });
    expect(selectionCounts(0, 50, 0.5)).toEqual({ k: 0, nModel: 0, nExplore: 0 });
  });
});

describe("selectControlList", () => {
  it("returns exactly capacity picks, the top nModel by score, with exact probabilities", () => {
    const pop = population(1000);
    const { picks, nModel, nExplore, nEligible } = selectControlList(pop, { capacity: 50, explorationShare: 0.2, seed: 7, ranking: "risk" });
    expect(picks).toHaveLength(50);
    expect([nModel, nExplore, nEligible]).toEqual([40, 10, 1000]);
    const model = picks.filter((p) => p.selectedBy === "model");
    const explore = picks.filter((p) => p.selectedBy === "exploration");
    expect(model).toHaveLength(40);
    expect(explore).toHaveLength(10);
    const top40 = rankCandidates(pop, "risk").ids.slice(0, 40);
    expect(new Set(model.map((p) => p.fileId))).toEqual(new Set(top40));
    expect(model.every((p) => p.selectionProbability === 1)).toBe(true);
    expect(explore.every((p) => p.selectionProbability === 10 / 960)).toBe(true);
    expect(explore.some((p) => top40.includes(p.fileId))).toBe(false);
    expect(new Set(picks.map((p) => p.fileId)).size).toBe(50);
    expect(picks.map((p) => p.position)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("keeps model picks in rank order and breaks score ties by file id", () => {
    const pop = population(20, () => 0.5).reverse();
    const { picks } = selectControlList(pop, { capacity: 5, explorationShare: 0, seed: 1, ranking: "risk" });
    expect(picks.map((p) => p.fileId)).toEqual(["f00000", "f00001", "f00002", "f00003", "f00004"]);
  });

  it("ranks by score × amount in yield mode, missing amounts last", () => {
    const pop: Candidate[] = [
      { fileId: "a", score: 0.9, amount: 1 },
      { fileId: "b", score: 0.2, amount: 100 },
      { fileId: "c", score: 0.99, amount: null },
      { fileId: "d", score: 0.5, amount: 10 },
    ];
    expect(rankCandidates(pop, "yield").ids).toEqual(["b", "d", "a", "c"]);
    expect(rankCandidates(pop, "risk").ids).toEqual(["c", "a", "d", "b"]);
  });

  it("takes every eligible file, all as model picks, when capacity exceeds the eligible count", () => {
    const { picks } = selectControlList(population(12), { capacity: 50, explorationShare: 0.5, seed: 3, ranking: "risk" });
    expect(picks).toHaveLength(12);
    expect(picks.every((p) => p.selectedBy === "model" && p.selectionProbability === 1)).toBe(true);
  });

  it("is deterministic per seed and interleaves differently for other seeds", () => {
    const pop = population(500);
    const opts = { capacity: 40, explorationShare: 0.25, ranking: "risk" as const };
    const a = selectControlList(pop, { ...opts, seed: 11 });
    expect(selectControlList(pop, { ...opts, seed: 11 })).toEqual(a);
    const layouts = new Set([11, 12, 13, 14, 15].map((seed) => interleave(30, 10, seed).join(",")));
    expect(layouts.size).toBeGreaterThan(1);
  });

  it("spreads exploration slots over all positions (position does not reveal the pick)", () => {
    const hits = new Array(10).fill(0);
    const trials = 4000;
    for (let s = 0; s < trials; s++) interleave(8, 2, s).forEach((k, i) => k === "exploration" && hits[i]++);
    // Each slot holds exploration with probability 2/10; 4000 trials give sd ≈ 25, so ±125 is 5 sd.
    for (const h of hits) expect(Math.abs(h - trials * 0.2)).toBeLessThan(125);
  });
});

describe("selectFromPool", () => {
  it("never returns an excluded file, and counts only pool files as excluded (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.integer(),
        (n, history, capacity, share, seed) => {
          const pool = rankCandidates(population(n), "risk");
          // Random histories: ids controlled recently or on open lists, some of them outside the pool.
          const excluded = new Set(history.map((i) => `f${String(i).padStart(5, "0")}`));
          const sel = selectFromPool(pool, ExcludedRanks.of(pool, excluded), { capacity, explorationShare: share, seed });
          const eligible = pool.ids.filter((id) => !excluded.has(id)).length;
          expect(sel.nEligible).toBe(eligible);
          expect(sel.picks).toHaveLength(Math.min(capacity, eligible));
          expect(sel.picks.some((p) => excluded.has(p.fileId))).toBe(false);
          expect(new Set(sel.picks.map((p) => p.fileId)).size).toBe(sel.picks.length);
          for (const p of sel.picks) expect(p.selectionProbability).toBeGreaterThan(0);
          for (const p of sel.picks) expect(p.selectionProbability).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("includes each non-model eligible file with the stated exploration probability (statistical)", () => {
    // 60 files, 15 excluded, capacity 10 at share 0.5: 5 model picks, 5 exploration picks drawn
    // from 40 files, so p = 5/40 = 0.125. Over 8000 seeded lists a file's count is Binomial(8000,
    // 0.125): sd ≈ 29.6; the tolerance of ±0.02 (160 lists) is over 5 sd, so a correct sampler
    // fails with probability < 1e-6 per file, and a biased one (e.g. a rank-skewed draw) fails.
    const pool = rankCandidates(population(60), "risk");
    const excluded = new Set(pool.ids.filter((_, i) => i % 4 === 1));
    const trials = 8000;
    const counts = new Map<string, number>();
    let stated = 0;
    for (let seed = 0; seed < trials; seed++) {
      const sel = selectFromPool(pool, ExcludedRanks.of(pool, excluded), { capacity: 10, explorationShare: 0.5, seed });
      for (const p of sel.picks) {
        if (p.selectedBy !== "exploration") continue;
        stated = p.selectionProbability;
        counts.set(p.fileId, (counts.get(p.fileId) ?? 0) + 1);
      }
    }
    expect(stated).toBe(5 / 40);
    expect(counts.size).toBe(40);
    for (const c of counts.values()) expect(Math.abs(c / trials - stated)).toBeLessThan(0.02);
  });

  it("draws exploration picks by enumeration when few eligible files remain, still exactly", () => {
    const pool = rankCandidates(population(100), "risk");
    const excluded = new Set(pool.ids.slice(10));
    const sel = selectFromPool(pool, ExcludedRanks.of(pool, excluded), { capacity: 6, explorationShare: 0.5, seed: 5 });
    expect(sel.nEligible).toBe(10);
    expect(sel.picks.filter((p) => p.selectedBy === "exploration").map((p) => p.selectionProbability)).toEqual([3 / 7, 3 / 7, 3 / 7]);
    expect(sel.picks.every((p) => pool.index.get(p.fileId)! < 10)).toBe(true);
  });
});
