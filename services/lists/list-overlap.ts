import { type ListOverlap, listOverlap } from "../../models/list-overlap.js";
import type { Db } from "../db/client.js";
import { latestCompletedRun, type TopPick, topPicksPerUnit } from "../db/queries/model-runs.js";

/** The overlap of two models' lists, per unit and over all the units both scored. */
export interface ModelsOverlap {
  /** Files per unit, as a list's capacity (POST /v1/control-lists). */
  capacity: number;
  modelA: string;
  modelB: string;
  runA: string;
  runB: string;
  total: ListOverlap;
  units: (ListOverlap & { unit: string })[];
  /** Units only one of the two runs scored: no overlap can be said there. */
  unitsLeftOut: { unit: string; scoredBy: "a" | "b" }[];
}

const byUnit = (picks: TopPick[]) => {
  const units = new Map<string, string[]>();
  for (const p of picks) {
    const ids = units.get(p.unit);
    if (ids) ids.push(p.fileId);
    else units.set(p.unit, [p.fileId]);
  }
  return units;
};

/**
 * What two models' lists would hold at `capacity` files per unit, as lists are sized: in each unit
 * the top `capacity` files by each model's latest completed run (risk order, before the exclusions
 * and the exploration share a real list applies, which would treat both models alike), then the
 * set arithmetic of models/list-overlap.ts with each file's latest known outcome. 409 when either
 * model has no completed run with its scores.
 */
export async function modelsListOverlap(db: Db, modelA: string, modelB: string, capacity: number): Promise<ModelsOverlap> {
  const [runA, runB] = await Promise.all([latestCompletedRun(db, modelA), latestCompletedRun(db, modelB)]);
  const [picksA, picksB] = await Promise.all([topPicksPerUnit(db, runA.id, capacity), topPicksPerUnit(db, runB.id, capacity)]);
  const outcomes = new Map<string, number>();
  for (const p of [...picksA, ...picksB]) if (p.outcome !== null) outcomes.set(p.fileId, p.outcome);
  const unitsA = byUnit(picksA);
  const unitsB = byUnit(picksB);
  const shared = [...unitsA.keys()].filter((u) => unitsB.has(u)).sort();
  const units = shared.map((unit) => ({ unit, ...listOverlap(unitsA.get(unit) ?? [], unitsB.get(unit) ?? [], outcomes) }));
  const total = listOverlap(
    shared.flatMap((u) => unitsA.get(u) ?? []),
    shared.flatMap((u) => unitsB.get(u) ?? []),
    outcomes,
  );
  const unitsLeftOut = [
    ...[...unitsA.keys()].filter((u) => !unitsB.has(u)).map((unit) => ({ unit, scoredBy: "a" as const })),
    ...[...unitsB.keys()].filter((u) => !unitsA.has(u)).map((unit) => ({ unit, scoredBy: "b" as const })),
  ].sort((x, y) => x.unit.localeCompare(y.unit));
  return { capacity, modelA, modelB, runA: runA.id, runB: runB.id, total, units, unitsLeftOut };
}
