import { describe, expect, it } from "vitest";
import { listOverlap } from "../../../models/list-overlap.js";

describe("listOverlap", () => {
  it("counts both, only A, only B, the union and Jaccard, with each set's hit rate on known outcomes", () => {
    // A = {a, b, c, d}, B = {c, d, e}: both {c, d}, only A {a, b}, only B {e}, union 5, Jaccard 2/5.
    const outcomes = new Map([
      ["a", 1],
      ["c", 0],
      ["d", 1],
      ["e", 1],
      ["z", 1],
    ]);
    const o = listOverlap(["a", "b", "c", "d"], ["c", "d", "e"], outcomes);
    expect(o.union).toBe(5);
    expect(o.jaccard).toBeCloseTo(0.4, 12);
    expect(o.a).toEqual({ files: 4, known: 3, hits: 2, hitRate: 2 / 3 });
    expect(o.b).toEqual({ files: 3, known: 3, hits: 2, hitRate: 2 / 3 });
    expect(o.both).toEqual({ files: 2, known: 2, hits: 1, hitRate: 0.5 });
    expect(o.onlyA).toEqual({ files: 2, known: 1, hits: 1, hitRate: 1 });
    expect(o.onlyB).toEqual({ files: 1, known: 1, hits: 1, hitRate: 1 });
  });

  it("says 1 for the same list, 0 for disjoint ones, no rate without a known outcome, and null Jaccard for two empty lists", () => {
    const none = new Map<string, number>();
    expect(listOverlap(["x", "y"], ["y", "x", "x"], none)).toMatchObject({ union: 2, jaccard: 1, onlyA: { files: 0 }, both: { files: 2, known: 0, hitRate: null } });
    expect(listOverlap(["x"], ["y"], none)).toMatchObject({ union: 2, jaccard: 0, both: { files: 0, hitRate: null } });
    expect(listOverlap([], [], none)).toMatchObject({ union: 0, jaccard: null });
  });
});
