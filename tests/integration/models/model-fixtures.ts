import { randomUUID } from "node:crypto";
import { demoPopulation } from "../../../data/demo/generate.js";
import { demoSchema } from "../../../data/demo/schema.js";
import { mulberry32 } from "../../../models/prng.js";
import type { TrainParamsInput } from "../../../models/train-params.js";
import { computeVerdict } from "../../../models/verdict.js";
import type { Db } from "../../../services/db/client.js";
import { featureSchemas, files, type ModelStatus, models, outcomes } from "../../../services/db/schema/index.js";

/** A small net: the tests check the plumbing and a clear margin over random, not top quality. */
export const SMALL_PARAMS: TrainParamsInput = { hiddenUnits: 16, layers: 1, maxEpochs: 20, patience: 5, batchSize: 64 };

/**
 * Loads the seeded demo population (schema v1, files and their past controls) straight into the
 * tables with drizzle, in batches; `outcomesOnly` reloads the controls of files already loaded.
 */
export async function loadDemo(db: Db, opts: { files: number; seed?: number; outcomesOnly?: boolean }) {
  await db.insert(featureSchemas).values({ version: 1, definition: demoSchema(), createdBy: "test" }).onConflictDoNothing();
  let fileBatch: (typeof files.$inferInsert)[] = [];
  let outcomeBatch: (typeof outcomes.$inferInsert)[] = [];
  const flush = async () => {
    if (fileBatch.length && !opts.outcomesOnly) await db.insert(files).values(fileBatch);
    if (outcomeBatch.length) await db.insert(outcomes).values(outcomeBatch);
    fileBatch = [];
    outcomeBatch = [];
  };
  for (const row of demoPopulation({ files: opts.files, seed: opts.seed ?? 7 })) {
    fileBatch.push({ id: row.file.id, unit: row.file.unit, attributes: row.file.attributes });
    for (const o of row.outcomes) {
      outcomeBatch.push({
        fileId: row.file.id,
        unit: row.file.unit,
        controlledAt: o.controlledAt,
        outcome: o.outcome,
        amount: o.amount,
        selectedBy: o.selectedBy,
        selectionProbability: o.selectionProbability,
        inspector: o.inspector,
        recordedBy: "test",
      });
    }
    if (fileBatch.length >= 1000) await flush();
  }
  await flush();
}

/**
 * Stored metrics holding a real verdict (computeVerdict on seeded synthetic scores): "clear" beats
 * logistic regression well beyond its interval with 200 validation positives; "tie" scores like
 * logistic regression; "few" is clear but rests on 12 positives.
 */
export function verdictMetrics(kind: "clear" | "tie" | "few"): Record<string, unknown> {
  const rand = mulberry32(11);
  const n = 2000;
  const positives = kind === "few" ? 12 : 200;
  const labels = Uint8Array.from({ length: n }, (_, i) => (i < positives ? 1 : 0));
  const signal = Float32Array.from(labels, (y) => y + rand() * 1.2);
  const logistic = kind === "tie" ? signal.slice() : Float32Array.from(labels, (y) => 0.3 * y + rand());
  const random = Float32Array.from(labels, () => rand());
  return { verdict: computeVerdict(labels, signal, { random, logistic }, { resamples: 100 }) };
}

/** Inserts a model row in any status (for governance tests that need no real training). */
export async function insertModel(db: Db, opts: { status: ModelStatus; trainedBy: string; name?: string; verdict?: "clear" | "tie" | "few" | "none" }) {
  const verdict = opts.verdict ?? "clear";
  const metrics = verdict === "none" ? null : verdictMetrics(verdict);
  const [row] = await db
    .insert(models)
    .values({ id: randomUUID(), name: opts.name ?? null, status: opts.status, seed: 1, trainedBy: opts.trainedBy, params: {}, metrics })
    .returning({ id: models.id });
  return row.id;
}

/** The key prefix (`cts_xxxxxxxx`) of a clear key, as the actor id and models.trained_by hold it. */
export const prefixOf = (key: string): string => key.slice(0, "cts_".length + 8);
