import { randomUUID } from "node:crypto";
import { accumulate, driftReference, driftReport, emptyAccumulator } from "../../models/drift.js";
import type { DriftReport } from "../../models/drift-schema.js";
import { evaluateScores } from "../../models/evaluation.js";
import { fairnessReport } from "../../models/fairness.js";
import type { FairnessEvaluation } from "../../models/fairness-schema.js";
import { mulberry32 } from "../../models/prng.js";
import { computeVerdict } from "../../models/verdict.js";
import type { Db } from "../../services/db/client.js";
import { models, scoringRuns } from "../../services/db/schema/index.js";

/**
 * What a model's and a run's pages show, computed by models/ from seeded synthetic rows, so that
 * pages and benchmarks need no training: an evaluation with its verdict, a fairness report by
 * region, and a drift report that raises an alarm.
 */

/**
 * A stored fairness report from rows built so that "south" is picked far more often than "north"
 * (the largest, the reference: its scores are lower at the same base rate) and "isle" is too small to judge.
 */
export function fairnessEvaluation(): FairnessEvaluation {
  const labels: number[] = [];
  const scores: number[] = [];
  const region: string[] = [];
  const add = (name: string, n: number, positives: number, score: (i: number) => number) => {
    for (let i = 0; i < n; i++) {
      labels.push(i < positives ? 1 : 0);
      scores.push(score(i));
      region.push(name);
    }
  };
  add("north", 220, 44, (i) => (i % 100) / 100);
  add("south", 200, 40, (i) => 0.5 + (i % 50) / 100);
  add("isle", 10, 1, (i) => i / 20);
  const input = { labels: Uint8Array.from(labels), scores: Float32Array.from(scores), segments: { region } };
  return { population: "validation", reports: [0.1, 0.2].map((capacity) => fairnessReport({ ...input, capacity })) };
}

/** A trained model row with a real evaluation report, verdict and fairness report (seeded synthetic scores). */
export async function insertEvaluatedModel(db: Db, opts: { trainedBy: string; name?: string }): Promise<string> {
  const rand = mulberry32(11);
  const n = 2000;
  const labels = Uint8Array.from({ length: n }, (_, i) => (i < 200 ? 1 : 0));
  const signal = Float32Array.from(labels, (y) => y + rand() * 1.2);
  const logistic = Float32Array.from(labels, (y) => 0.3 * y + rand());
  const random = Float32Array.from(labels, () => rand());
  const metrics = {
    validation: evaluateScores(labels, signal),
    verdict: computeVerdict(labels, signal, { random, logistic }, { resamples: 100 }),
    fairness: fairnessEvaluation(),
  };
  const baselines = { logistic: { bestEpoch: 1, report: evaluateScores(labels, logistic) } };
  const id = randomUUID();
  await db.insert(models).values({ id, name: opts.name ?? null, status: "trained", seed: 1, trainedBy: opts.trainedBy, params: {}, metrics, baselines: baselines as never });
  return id;
}

/**
 * A drift report computed by models/ from a training population and scored files in which
 * turnover has shifted far (alarm), sector gained an unseen level, and the rest barely moved.
 */
export function shiftedDriftReport(): DriftReport {
  const n = 2000;
  const attributes = [
    { name: "turnover", type: "numeric" as const },
    { name: "sector", type: "categorical" as const },
    { name: "staff", type: "numeric" as const },
  ];
  const train = {
    turnover: Float64Array.from({ length: n }, (_, i) => i),
    sector: Array.from({ length: n }, (_, i) => ["shop", "farm", "office"][i % 3]),
    staff: Float64Array.from({ length: n }, (_, i) => i % 50),
  };
  const scoresOf = (shift: number) => Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n / 2 + shift);
  const ref = driftReference(attributes, train, n, scoresOf(0));
  const now = {
    turnover: Float64Array.from({ length: n }, (_, i) => i + 1500),
    sector: Array.from({ length: n }, (_, i) => (i % 10 === 0 ? "mine" : ["shop", "farm", "office"][i % 3])),
    staff: Float64Array.from({ length: n }, (_, i) => (i + 1) % 50),
  };
  const types = Object.fromEntries(attributes.map((a) => [a.name, a.type]));
  return driftReport(ref, accumulate(ref, emptyAccumulator(ref), types, now, scoresOf(0.05)));
}

/** A finished run of `modelId` stored with its drift report (a completed run is never changed, so it is inserted whole). */
export async function insertRunWithDrift(db: Db, modelId: string, report: DriftReport): Promise<string> {
  const id = randomUUID();
  const at = new Date();
  await db.insert(scoringRuns).values({
    id, modelId, scope: {}, shadow: false, status: "completed", totalFiles: report.rows, requestedBy: "test", createdAt: at, startedAt: at, finishedAt: at, drift: report,
  });
  return id;
}
