import { createHash, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../services/db/client.js";
import { featureSchemas, files, models, scores, scoringRuns } from "../../services/db/schema/index.js";

/** A file as the builder makes it: id, unit, a categorical `region`, a numeric `amount`. */
export interface PopulationFile {
  id: string;
  unit: string;
  score: number;
  attributes: { region: string; amount: number };
}

export interface ScoredPopulation {
  modelId: string;
  runId: string;
  files: PopulationFile[];
}

export interface PopulationOptions {
  /** Files per unit, e.g. { north: 40, south: 20 }. */
  units: Record<string, number>;
  /** Score of the i-th file of the whole population (default: a deterministic spread in (0, 1)). */
  scoreOf?: (i: number) => number;
  /** When the run was made; default now. Set before `activatedAt` to make a stale run. */
  runCreatedAt?: Date;
  activatedAt?: Date;
  /** Units named in the run's scope (default: none named, i.e. all units). */
  runUnits?: string[];
  /** Also write a feature schema naming `amount` as the amount attribute (default true). */
  schema?: boolean;
}

const REGIONS = ["coast", "hills", "city"] as const;
const defaultScore = (i: number) => ((i * 7919) % 997) / 997 + 0.0001;

/**
 * Builds what a control list needs, directly in the database: files, an active model (a placeholder
 * artifact with its SHA-256: lists never predict), and one completed non-shadow run with scores and
 * reasons. Overrides change only what a test is about.
 */
export async function buildScoredPopulation(db: Db, opts: PopulationOptions): Promise<ScoredPopulation> {
  const scoreOf = opts.scoreOf ?? defaultScore;
  const population: PopulationFile[] = [];
  let i = 0;
  for (const [unit, n] of Object.entries(opts.units)) {
    for (let k = 0; k < n; k++, i++) {
      population.push({
        id: `${unit}-${String(k).padStart(5, "0")}`,
        unit,
        score: scoreOf(i),
        attributes: { region: REGIONS[k % REGIONS.length], amount: 100 + ((k * 37) % 500) },
      });
    }
  }
  for (let s = 0; s < population.length; s += 1000) {
    await db.insert(files).values(population.slice(s, s + 1000).map((f) => ({ id: f.id, unit: f.unit, attributes: f.attributes })));
  }
  if (opts.schema !== false) {
    await db.insert(featureSchemas).values({
      version: 1,
      definition: {
        attributes: [
          { name: "region", type: "categorical", role: "feature", missing: "allow" },
          { name: "amount", type: "numeric", role: "feature", missing: "allow" },
        ],
        amountAttribute: "amount",
      },
      createdBy: "test",
    });
  }
  const artifact = Buffer.from("placeholder model artifact");
  const modelId = randomUUID();
  await db.insert(models).values({
    id: modelId,
    status: "active",
    seed: 1,
    trainedBy: "test",
    artifact,
    artifactSha256: createHash("sha256").update(artifact).digest("hex"),
    activatedAt: opts.activatedAt ?? new Date(Date.now() - 3_600_000),
  });
  const runId = await addScoringRun(db, modelId, population, { createdAt: opts.runCreatedAt, units: opts.runUnits });
  return { modelId, runId, files: population };
}

/** One more completed run of `modelId` over `population`, with scores from `scoreOf` (default: file's own). */
export async function addScoringRun(
  db: Db,
  modelId: string,
  population: PopulationFile[],
  opts: { createdAt?: Date; shadow?: boolean; scoreOf?: (f: PopulationFile, i: number) => number; units?: string[] } = {},
): Promise<string> {
  const runId = randomUUID();
  const createdAt = opts.createdAt ?? new Date();
  await db.insert(scoringRuns).values({
    id: runId,
    modelId,
    scope: opts.units ? { units: opts.units } : {},
    shadow: opts.shadow ?? false,
    status: "completed",
    totalFiles: population.length,
    requestedBy: "test",
    createdAt,
    startedAt: createdAt,
    finishedAt: createdAt,
  });
  await db.execute(sql`select cts_create_scores_partition(${runId}::uuid)`);
  const rows = population.map((f, i) => ({
    runId,
    fileId: f.id,
    modelId,
    modelSha256: "placeholder",
    score: opts.scoreOf ? opts.scoreOf(f, i) : f.score,
    // Stored as the scoring worker stores them: [attribute, contribution] pairs.
    reasons: [["amount", f.score / 2], ["region", -f.score / 4]],
    inputDigest: createHash("sha256").update(f.id).digest("hex"),
  }));
  for (let s = 0; s < rows.length; s += 1000) await db.insert(scores).values(rows.slice(s, s + 1000));
  return runId;
}
