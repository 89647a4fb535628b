/**
 * The overlap of two models' lists, pure set arithmetic: which files both would pick, which only
 * one would, and how often each set's files with a known outcome turned out irregular. The picks
 * come in as file ids (services/ ranks them); outcomes as a map from file id to 0 or 1, holding
 * only the files whose outcome is known.
 */

/** A set of picked files and what is known of them. */
export interface PickSet {
  files: number;
  /** Files of the set with a known outcome. */
  known: number;
  /** Known outcomes that were irregular (1). */
  hits: number;
  /** hits / known; null when no outcome is known (no rate, rather than 0 %). */
  hitRate: number | null;
}

export interface ListOverlap {
  a: PickSet;
  b: PickSet;
  both: PickSet;
  onlyA: PickSet;
  onlyB: PickSet;
  /** Files either would pick. */
  union: number;
  /** both / union: 1 for the same list, 0 for disjoint lists; null when both lists are empty. */
  jaccard: number | null;
}

const pickSet = (ids: Iterable<string>, outcomes: ReadonlyMap<string, number>): PickSet => {
  let files = 0;
  let known = 0;
  let hits = 0;
  for (const id of ids) {
    files++;
    const y = outcomes.get(id);
    if (y === undefined) continue;
    known++;
    if (y === 1) hits++;
  }
  return { files, known, hits, hitRate: known === 0 ? null : hits / known };
};

/** Overlap of list A and list B (duplicates inside one list count once). */
export function listOverlap(a: Iterable<string>, b: Iterable<string>, outcomes: ReadonlyMap<string, number>): ListOverlap {
  const setA = new Set(a);
  const setB = new Set(b);
  const both = [...setA].filter((id) => setB.has(id));
  const onlyA = [...setA].filter((id) => !setB.has(id));
  const onlyB = [...setB].filter((id) => !setA.has(id));
  const union = both.length + onlyA.length + onlyB.length;
  return {
    a: pickSet(setA, outcomes),
    b: pickSet(setB, outcomes),
    both: pickSet(both, outcomes),
    onlyA: pickSet(onlyA, outcomes),
    onlyB: pickSet(onlyB, outcomes),
    union,
    jaccard: union === 0 ? null : both.length / union,
  };
}
