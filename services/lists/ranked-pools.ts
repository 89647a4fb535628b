import type { Db } from "../db/client.js";
import { type ListFilters, loadScoredFiles } from "../db/queries/control-lists.js";
import { type Ranking, type RankedPool, rankCandidates } from "./select.js";

/**
 * The ranked pool a list is selected from: a unit's files scored in a run, best first.
 *
 * Unfiltered risk pools, the common case, are kept in memory by (run, unit). This is not a cache
 * of mutable state: a completed run's scores never change (migration 0010), so nothing has to be
 * invalidated, and what varies from list to list (open lists, recent controls) is read under the
 * unit's lock in the list's own transaction. Why keep it at all: loading and ranking a unit of
 * 50,000 files costs about 300 ms of SQL, a list's whole transaction about 10 ms. The TTL only
 * bounds memory and picks up files that moved into the unit; a file that moved out is caught when
 * the list is inserted (insertControlList), which drops the pool. Yield ranking and filters read
 * file attributes, which change, so those pools are loaded per list.
 */
const POOL_TTL_MS = 10 * 60_000;
const POOL_MAX = 64;
const riskPools = new Map<string, { at: number; pool: Promise<RankedPool> }>();

export interface PoolRequest {
  runId: string;
  unit: string;
  ranking: Ranking;
  filters: ListFilters;
  amountAttribute: string | null;
}

export async function rankedPool(db: Db, request: PoolRequest): Promise<RankedPool> {
  if (request.ranking !== "risk" || Object.keys(request.filters).length > 0) {
    return rankCandidates(await loadScoredFiles(db, request), request.ranking);
  }
  const key = poolKey(request);
  const kept = riskPools.get(key);
  if (kept && Date.now() - kept.at < POOL_TTL_MS) return kept.pool;
  const pool = loadScoredFiles(db, { runId: request.runId, unit: request.unit }).then((files) => rankCandidates(files, "risk"));
  pool.catch(() => riskPools.delete(key));
  if (riskPools.size >= POOL_MAX) riskPools.delete(riskPools.keys().next().value as string);
  riskPools.set(key, { at: Date.now(), pool });
  return pool;
}

/** Drops a kept pool whose files no longer all belong to its unit. */
export function forgetPool(request: Pick<PoolRequest, "runId" | "unit">): void {
  riskPools.delete(poolKey(request));
}

const poolKey = (r: Pick<PoolRequest, "runId" | "unit">) => `${r.runId}:${r.unit}`;
