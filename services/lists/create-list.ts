import { randomInt, randomUUID } from "node:crypto";
import type { Actor } from "../auth/actor.js";
import type { Database } from "../db/client.js";
import { appendAuditEvent } from "../db/queries/audit-events.js";
import { findListSource, ineligibleFiles, insertControlList, type ListFilters, lockUnitLists } from "../db/queries/control-lists.js";
import { conflict, invalid } from "../errors.js";
import { assertCategoricalFilters, usableListSource } from "./list-source.js";
import { forgetPool, rankedPool } from "./ranked-pools.js";
import { ExcludedRanks, type Ranking, selectFromPool } from "./select.js";

/** Largest capacity a list may have: a day's controls for a team, and a bound on one transaction. */
export const MAX_CAPACITY = 1000;

export interface CreateListInput {
  unit: string;
  capacity: number;
  explorationShare: number;
  exclusionDays: number;
  ranking: Ranking;
  filters: ListFilters;
  seed?: number;
}

const utcDaysAgo = (days: number, now = new Date()) => new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);

/**
 * Builds a control list for `input.unit` in one transaction: the unit's lock, the files it may
 * not hold (open lists, recent controls) read under that lock, the pure selection (select.ts),
 * then the list, its items and its control_list.create event, committed together and
 * synchronously. Lists of one unit are thereby built one at a time across every process, and
 * never share a file. The seed is drawn when not given and always stored, so anyone holding the
 * list's parameters can recompute the selection.
 */
export async function createControlList(database: Database, input: CreateListInput, actor: Actor, requestId?: string) {
  const { db } = database;
  const { run, schema } = usableListSource(await findListSource(db, input.unit), input.unit);
  if (Object.keys(input.filters).length > 0) assertCategoricalFilters(schema, input.filters);
  const amountAttribute = schema?.amountAttribute ?? null;
  if (input.ranking === "yield" && !amountAttribute) {
    throw invalid("ranking by yield needs an amountAttribute in the feature schema", [
      { path: "ranking", message: "the current schema names no amountAttribute" },
    ]);
  }
  const poolRequest = { runId: run.runId, unit: input.unit, ranking: input.ranking, filters: input.filters, amountAttribute };
  const pool = await rankedPool(db, poolRequest);
  // Seeds are stored as Postgres integer; 31 bits keeps them positive and JSON-exact.
  const seed = input.seed ?? randomInt(0, 2 ** 31 - 1);
  const cutoff = utcDaysAgo(input.exclusionDays);
  const id = randomUUID();
  return db.transaction(async (tx) => {
    await lockUnitLists(tx, input.unit);
    const excluded = ExcludedRanks.of(pool, await ineligibleFiles(tx, { unit: input.unit, cutoff }));
    const selection = selectFromPool(pool, excluded, { capacity: input.capacity, explorationShare: input.explorationShare, seed });
    if (selection.picks.length === 0) {
      throw conflict(`no file of unit "${input.unit}" is eligible: all are excluded, filtered out or unscored`);
    }
    const params = {
      capacity: input.capacity,
      explorationShare: input.explorationShare,
      exclusionDays: input.exclusionDays,
      excludedControlledSince: cutoff,
      ranking: input.ranking,
      ...(input.ranking === "yield" ? { amountAttribute } : {}),
      filters: input.filters,
      nEligible: selection.nEligible,
      nModel: selection.nModel,
      nExplore: selection.nExplore,
    };
    const stored = await insertControlList(tx, { id, unit: input.unit, ...run, seed, params, createdBy: actor.id, items: selection.picks });
    if (!stored) {
      forgetPool(poolRequest);
      throw conflict(`files of unit "${input.unit}" moved to another unit while this list was built: try again`);
    }
    await appendAuditEvent(tx, {
      actor,
      action: "control_list.create",
      target: id,
      details: { unit: input.unit, ...run, seed, files: selection.picks.length, ...params },
      requestId,
    });
    return { ...stored, selection };
  });
}
