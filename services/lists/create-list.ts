import { randomInt, randomUUID } from "node:crypto";
import type { Actor } from "../auth/actor.js";
import type { Database, Db } from "../db/client.js";
import {
  assertCategoricalFilters,
  type ExclusionVersions,
  insertControlListSnapshot,
  type ListFilters,
  loadScoredCandidates,
  openListFiles,
  readExclusionVersions,
  recentlyControlledFiles,
  resolveListSource,
  type VersionedSelection,
} from "../db/queries/control-lists.js";
import { invalid } from "../errors.js";
import { ExcludedRanks, type Ranking, type RankedPool, rankCandidates, selectFromPool } from "./select.js";

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

/**
 * Ranked pools of completed runs, by run and unit. A completed run's scores never change (the
 * partition is append-only), so a pool stays valid for the run's life; the TTL only bounds memory
 * held for runs nobody asks about and picks up files that moved unit. Only unfiltered risk pools
 * are cached: yield and filters read mutable attributes, so those pools are loaded per request.
 */
const POOL_TTL_MS = 10 * 60_000;
const POOL_CACHE_MAX = 64;
const pools = new Map<string, { at: number; pool: Promise<RankedPool> }>();

function cachedRiskPool(db: Db, runId: string, unit: string): Promise<RankedPool> {
  const key = `${runId}:${unit}`;
  const hit = pools.get(key);
  if (hit && Date.now() - hit.at < POOL_TTL_MS) return hit.pool;
  const pool = loadScoredCandidates(db, { runId, unit }).then((c) => rankCandidates(c, "risk"));
  pool.catch(() => pools.delete(key));
  if (pools.size >= POOL_CACHE_MAX) pools.delete(pools.keys().next().value as string);
  pools.set(key, { at: Date.now(), pool });
  return pool;
}

/**
 * Files recently controlled, by unit and window start, labelled with the outcomes change stamp
 * they were read under (read in the list's own transaction): reused only while the stamp is
 * unchanged, so the exclusions, and the nEligible behind each exploration probability, stay exact.
 */
const controlled = new Map<string, { stamp: string; files: Set<string> }>();

async function controlledSinceCached(tx: Db, unit: string, cutoff: string, stamp: string): Promise<ReadonlySet<string>> {
  const key = `${unit}:${cutoff}`;
  const hit = controlled.get(key);
  if (hit?.stamp === stamp) return hit.files;
  const files = await recentlyControlledFiles(tx, unit, cutoff);
  if (controlled.size >= POOL_CACHE_MAX * 4) controlled.delete(controlled.keys().next().value as string);
  controlled.set(key, { stamp, files });
  return files;
}

/** The ineligible ranks of a pool: files controlled within the window and files on open lists. */
async function loadExclusions(db: Db, pool: RankedPool, unit: string, cutoff: string, versions: ExclusionVersions) {
  const recent = await controlledSinceCached(db, unit, cutoff, versions.outcomesStamp);
  return ExcludedRanks.of(pool, recent).addIds(pool, await openListFiles(db, unit));
}

/**
 * The ineligible ranks of a pool with the versions they hold: the versions read first, so the
 * sets read after them are at least as new as their label.
 */
async function readExclusions(db: Db, pool: RankedPool, unit: string, cutoff: string) {
  const versions = await readExclusionVersions(db, unit);
  return { versions, excluded: await loadExclusions(db, pool, unit, cutoff, versions) };
}

/**
 * The ineligible ranks of a cached risk pool, by (run, unit, window start), labelled with the
 * versions they hold (ExclusionVersions). Reading the open lists' files costs a scan of every
 * open list of the unit, so after a list is stored its picks are added here and the label moves
 * to the version that list's insert gave the unit. A list is selected against this label without
 * reading the versions; if anyone else changed the unit meanwhile (another process's list, an
 * outcome, a closed list), the store refuses it and the caller asks again with `fresh`: the
 * versions are read, and the entry is reloaded unless they still match its label. Only used in
 * the unit's turn (insertControlListSnapshot), so two lists never update one entry at once.
 */
const exclusions = new Map<string, ExclusionVersions & { pool: RankedPool; excluded: ExcludedRanks }>();

async function cachedExclusions(db: Db, pool: RankedPool, key: string, unit: string, cutoff: string, fresh: boolean) {
  // Ranks are positions in one pool object: a pool reloaded after its TTL starts a new entry.
  const hit = exclusions.get(key);
  const known = hit?.pool === pool ? hit : undefined;
  const versions = known && !fresh ? known : await readExclusionVersions(db, unit);
  if (known && known.outcomesStamp === versions.outcomesStamp && known.listsVersion === versions.listsVersion) {
    return { versions: { outcomesStamp: known.outcomesStamp, listsVersion: known.listsVersion }, excluded: known.excluded };
  }
  const excluded = await loadExclusions(db, pool, unit, cutoff, versions);
  if (exclusions.size >= POOL_CACHE_MAX * 4) exclusions.delete(exclusions.keys().next().value as string);
  exclusions.set(key, { ...versions, pool, excluded });
  return { versions, excluded };
}

/** Records a stored list in its cached exclusions: its picks are now on an open list. */
function addStoredList(key: string, pool: RankedPool, { selection, versions }: VersionedSelection) {
  const hit = exclusions.get(key);
  if (hit?.pool !== pool || hit.listsVersion !== versions.listsVersion || hit.outcomesStamp !== versions.outcomesStamp) return;
  hit.excluded.addIds(pool, selection.picks.map((p) => p.fileId));
  // The list's insert bumped the unit's version once (migration 0007).
  hit.listsVersion = String(BigInt(versions.listsVersion) + 1n);
}

const utcDaysAgo = (days: number, now = new Date()) => new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);

/**
 * Builds a control list for `input.unit`: resolves the source run (409 if none or stale), ranks its
 * scores for the unit, then selects and stores the snapshot (insertControlListSnapshot). The
 * seed is drawn when not given and always stored, so the selection can be recomputed by anyone
 * holding the list's parameters.
 */
export async function createControlList(database: Database, input: CreateListInput, actor: Actor, requestId?: string) {
  const { db } = database;
  const found = await resolveListSource(db, input.unit);
  if (!found.unitExists) {
    throw invalid(`unit "${input.unit}" has no files`, [{ path: "unit", message: `unknown unit "${input.unit}"` }]);
  }
  const { run: source, schema } = found.resolve();
  const hasFilters = Object.keys(input.filters).length > 0;
  if (hasFilters) assertCategoricalFilters(schema, input.filters);
  const amountAttribute = schema?.amountAttribute ?? null;
  if (input.ranking === "yield" && !amountAttribute) {
    throw invalid("ranking by yield needs an amountAttribute in the feature schema", [
      { path: "ranking", message: "the current schema names no amountAttribute" },
    ]);
  }
  const cached = input.ranking === "risk" && !hasFilters;
  const pool = cached
    ? await cachedRiskPool(db, source.runId, input.unit)
    : rankCandidates(
        await loadScoredCandidates(db, { runId: source.runId, unit: input.unit, amountAttribute, filters: input.filters }),
        input.ranking,
      );
  // Seeds are stored as Postgres integer; 31 bits keeps them positive and JSON-exact.
  const seed = input.seed ?? randomInt(0, 2 ** 31 - 1);
  const cutoff = utcDaysAgo(input.exclusionDays);
  const params = {
    capacity: input.capacity,
    explorationShare: input.explorationShare,
    exclusionDays: input.exclusionDays,
    excludedControlledSince: cutoff,
    ranking: input.ranking,
    ...(input.ranking === "yield" ? { amountAttribute } : {}),
    filters: input.filters,
  };
  const exclusionKey = `${source.runId}:${input.unit}:${cutoff}`;
  return insertControlListSnapshot(
    database,
    { id: randomUUID(), unit: input.unit, runId: source.runId, modelId: source.modelId, seed, cutoff, params },
    async (db, fresh) => {
      const { versions, excluded } = cached
        ? await cachedExclusions(db, pool, exclusionKey, input.unit, cutoff, fresh)
        : await readExclusions(db, pool, input.unit, cutoff);
      return { versions, selection: selectFromPool(pool, excluded, { capacity: input.capacity, explorationShare: input.explorationShare, seed }) };
    },
    (made) => {
      if (cached) addStoredList(exclusionKey, pool, made);
    },
    actor,
    requestId,
  );
}
