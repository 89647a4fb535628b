import { createHash, randomUUID } from "node:crypto";
import { demoPopulation } from "../../data/demo/generate.js";
import { demoSchema } from "../../data/demo/schema.js";
import {
  type Attributes,
  type FeatureSchemaDefinition,
  encodeRows,
  fitEncoder,
  mulberry32,
  selectBackend,
  serializeModel,
  trainModel,
  type TrainParamsInput,
} from "../../models/index.js";
import type { Db } from "../../services/db/client.js";
import { type ModelStatus, models } from "../../services/db/schema/index.js";

export interface TrainedModelOptions {
  /** Status of the inserted row; "active" makes it the default model of scoring runs. */
  status?: ModelStatus;
  /** Training rows and labels; default: the first `demoFiles` demo files, labelled from their truth. */
  rows?: Attributes[];
  y?: Uint8Array;
  schema?: FeatureSchemaDefinition;
  demoFiles?: number;
  seed?: number;
  params?: TrainParamsInput;
  name?: string;
}

/** A tiny net trains in about a second and still ranks; tests want speed, not quality. */
const TINY: TrainParamsInput = { hiddenUnits: 16, layers: 1, maxEpochs: 8, patience: 3, batchSize: 256 };

/** Demo rows labelled by a seeded draw from each file's true probability (the oracle). */
function demoTraining(files: number, seed: number): { rows: Attributes[]; y: Uint8Array } {
  const rand = mulberry32(seed);
  const rows: Attributes[] = [];
  const labels: number[] = [];
  for (const row of demoPopulation({ files, seed: 1 })) {
    rows.push(row.file.attributes);
    labels.push(rand() < row.truth ? 1 : 0);
  }
  return { rows, y: Uint8Array.from(labels) };
}

/**
 * Trains a tiny model with models/ (no API, no queue) and inserts it as a `models` row with its
 * artifact and SHA-256, so scoring tests and benchmarks have a real model to load.
 */
export async function insertTrainedModel(db: Db, opts: TrainedModelOptions = {}) {
  await selectBackend();
  const seed = opts.seed ?? 7;
  const schema = opts.schema ?? demoSchema();
  const { rows, y } = opts.rows && opts.y ? { rows: opts.rows, y: opts.y } : demoTraining(opts.demoFiles ?? 3000, seed);
  const cut = Math.floor(rows.length * 0.8);
  const encoder = fitEncoder(schema, rows.slice(0, cut));
  const train = encodeRows(encoder, rows.slice(0, cut));
  const val = encodeRows(encoder, rows.slice(cut));
  const trained = await trainModel({
    X: train.X,
    y: y.slice(0, cut),
    nCols: encoder.nCols,
    valX: val.X,
    valY: y.slice(cut),
    params: { ...TINY, ...opts.params },
    seed,
  });
  const id = randomUUID();
  const artifact = Buffer.from(
    serializeModel({ network: trained.network, encoder, calibration: trained.calibration, meta: { modelId: id } }),
  );
  const artifactSha256 = createHash("sha256").update(artifact).digest("hex");
  const [row] = await db
    .insert(models)
    .values({
      id,
      name: opts.name ?? `test model ${id.slice(0, 8)}`,
      status: opts.status ?? "active",
      params: trained.params as unknown as Record<string, unknown>,
      seed,
      backend: trained.backend,
      artifact,
      artifactSha256,
      trainedBy: "test",
      finishedAt: new Date(),
      activatedAt: opts.status === "active" || opts.status === undefined ? new Date() : null,
    })
    .returning({ id: models.id, artifactSha256: models.artifactSha256, status: models.status });
  return { ...row, artifactSha256, encoder, trained };
}
