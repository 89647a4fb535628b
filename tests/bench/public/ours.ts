/**
 * Our models/ trainer on the exported public datasets (see export-mlbench.R), same train/test rows
 * as xgboost_reference.py. Usage: npx tsx tests/bench/public/ours.ts <dir> [dataset ...]
 *
 * Like the XGBoost reference, everything is decided on the train rows only: they are cut into 5
 * seeded stratified folds; for each fold a model trains on the other four with early stopping
 * and Platt calibration on that fold, and the test score is the mean of the five calibrated
 * probabilities (cross-validation bagging). A small grid of TrainParams is chosen by mean
 * out-of-fold ROC-AUC (`grid`, only with --grid). `model` is the default training (trainAuto,
 * default TrainParams) with early stopping, calibration and blend on a seeded stratified 20 % of
 * the train rows; `logistic` the service's logistic baseline on the same rows. One JSON line each.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import {
  type Attributes,
  aucRoc,
  encodeRows,
  FeatureSchemaDefinition,
  fitEncoder,
  loadModel,
  selectBackend,
  serializeModel,
  seededPermutation,
  stratifiedSplit,
  takeValues,
  trainModel,
  type EncoderState,
  TrainParams,
  type TrainParamsInput,
  type TrainResult,
  trainAuto,
  trainLogisticBaseline,
} from "../../../models/index.js";

/** Small-data settings: small batches and long patience (a few hundred rows make epochs tiny). */
const BASE: TrainParamsInput = { batchSize: 32, maxEpochs: 300, patience: 25, learningRate: 3e-3 };
export const GRID: TrainParamsInput[] = [
  { ...BASE, layers: 0, dropout: 0, l2: 1e-3 },
  { ...BASE, layers: 1, hiddenUnits: 32, dropout: 0.2, l2: 1e-3 },
  { ...BASE, layers: 2, hiddenUnits: 64, dropout: 0.3, l2: 1e-3 },
];
const FOLDS = 5;

const rowsOf = (records: Record<string, string>[], schema: FeatureSchemaDefinition): Attributes[] =>
  records.map((r) => {
    const row: Attributes = {};
    for (const a of schema.attributes) {
      const v = r[a.name];
      row[a.name] = v === "" || v === undefined ? null : a.type === "numeric" ? Number(v) : v;
    }
    return row;
  });

/** Fold of each row: a seeded permutation per class dealt round-robin, so folds are stratified. */
const foldsOf = (y: Uint8Array, seed: number): Int32Array => {
  const fold = new Int32Array(y.length);
  for (const cls of [0, 1]) {
    const idx = Array.from(y.keys()).filter((i) => y[i] === cls);
    const perm = seededPermutation(idx.length, seed + cls);
    perm.forEach((p, j) => (fold[idx[p]] = j % FOLDS));
  }
  return fold;
};

const pick = <T>(xs: T[], keep: (i: number) => boolean): T[] => xs.filter((_, i) => keep(i));

/** Trains one config with CV bagging; returns mean out-of-fold AUC and the mean test probabilities. */
async function cvBag(train: Attributes[], y: Uint8Array, test: Attributes[], schema: FeatureSchemaDefinition, params: TrainParamsInput) {
  const fold = foldsOf(y, 7);
  const testScores = new Float64Array(test.length);
  const oof = new Float32Array(y.length);
  for (let f = 0; f < FOLDS; f++) {
    const inFit = (i: number) => fold[i] !== f;
    const fitRows = pick(train, inFit);
    const valRows = pick(train, (i) => !inFit(i));
    const encoder = fitEncoder(schema, fitRows);
    const result = await trainModel({
      X: encodeRows(encoder, fitRows).X,
      y: Uint8Array.from(pick(Array.from(y), inFit)),
      nCols: encoder.nCols,
      valX: encodeRows(encoder, valRows).X,
      valY: Uint8Array.from(pick(Array.from(y), (i) => !inFit(i))),
      params,
      seed: 100 + f,
    });
    let k = 0;
    for (let i = 0; i < y.length; i++) if (!inFit(i)) oof[i] = result.valScores[k++];
    // Through the artifact, as the service scores: serialize, load, predict.
    const model = loadModel(serializeModel({ network: result.network, encoder, calibration: result.calibration, meta: {} }));
    const p = model.predict(encodeRows(encoder, test).X, test.length);
    model.dispose();
    for (let i = 0; i < test.length; i++) testScores[i] += p[i] / FOLDS;
  }
  return { oofAucRoc: aucRoc(y, oof), testScores };
}

/** One stratified 20 % of the train rows for early stopping, calibration and the blend (seeded). */
const innerSplit = (train: Attributes[], y: Uint8Array, schema: FeatureSchemaDefinition, numericBins: number, seed: number) => {
  const inner = stratifiedSplit(y, 0.2, seed);
  const fitRows = Array.from(inner.train, (i) => train[i]);
  const encoder = fitEncoder(schema, fitRows, { numericBins });
  return {
    encoder,
    X: encodeRows(encoder, fitRows).X,
    y: takeValues(y, inner.train),
    nCols: encoder.nCols,
    valX: encodeRows(encoder, Array.from(inner.validation, (i) => train[i])).X,
    valY: takeValues(y, inner.validation),
  };
};

/** Test ROC-AUC of a trained network, scored through the artifact as the service scores. */
const testAuc = (result: TrainResult, encoder: EncoderState, test: Attributes[], testY: Uint8Array): number => {
  const model = loadModel(serializeModel({ network: result.network, encoder, calibration: result.calibration, meta: {} }));
  try {
    return aucRoc(testY, model.predict(encodeRows(encoder, test).X, test.length));
  } finally {
    model.dispose();
  }
};

/**
 * The default training (trainAuto, default TrainParams, nothing per dataset) and the service's
 * logistic baseline (trainLogisticBaseline) on the same split; with `grid`, also the tuned grid
 * with 5-fold CV bagging of the 2026-11-28 benchmark.
 */
export async function runDataset(dir: string, name: string, options: { grid?: boolean; seed?: number } = {}) {
  const seed = options.seed ?? 1;
  const schema = FeatureSchemaDefinition.parse(JSON.parse(readFileSync(join(dir, `${name}.schema.json`), "utf8")));
  const records = parse(readFileSync(join(dir, `${name}.csv`)), { columns: true }) as Record<string, string>[];
  const isTrain = records.map((r) => r.part === "train");
  const rows = rowsOf(records, schema);
  const labels = records.map((r) => (r.label === "1" ? 1 : 0));
  const train = pick(rows, (i) => isTrain[i]);
  const test = pick(rows, (i) => !isTrain[i]);
  const y = Uint8Array.from(pick(labels, (i) => isTrain[i]));
  const testY = Uint8Array.from(pick(labels, (i) => !isTrain[i]));
  // The encoder the train task fits (the default params' piecewise-linear segments), and for the
  // logistic baseline the plain one, as the train task does.
  const { encoder, ...data } = innerSplit(train, y, schema, TrainParams.parse({}).numericBins, seed);
  const auto = await trainAuto({ ...data, seed });
  const { encoder: plainEncoder, ...plainData } = innerSplit(train, y, schema, 0, seed);
  const logistic = await trainLogisticBaseline({ ...plainData, seed });
  let grid: { ours: number; best: unknown } | undefined;
  if (options.grid) {
    let best: { params: TrainParamsInput; oofAucRoc: number; testScores: Float64Array } | undefined;
    for (const params of GRID) {
      const bag = await cvBag(train, y, test, schema, params);
      if (!best || bag.oofAucRoc > best.oofAucRoc) best = { params, ...bag };
    }
    grid = { ours: aucRoc(testY, best!.testScores), best: { layers: best!.params.layers, hiddenUnits: best!.params.hiddenUnits } };
  }
  return {
    dataset: name,
    n: records.length,
    nTest: test.length,
    positives: labels.reduce((s: number, v) => s + v, 0) / labels.length,
    model: testAuc(auto, encoder, test, testY),
    logistic: testAuc(logistic, plainEncoder, test, testY),
    trainSeconds: auto.durationMs / 1000,
    logisticSeconds: logistic.durationMs / 1000,
    ensemble: {
      blend: auto.ensemble.blend,
      members: auto.ensemble.members.length,
      skipped: auto.ensemble.skipped,
      epochs: auto.ensemble.members.map((m) => m.epochs),
    },
    grid,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const backend = await selectBackend("wasm");
  const dir = process.argv[2] ?? "var/bench/public";
  const args = process.argv.slice(3).filter((a) => !a.startsWith("--"));
  const seed = Number(process.argv.find((a) => a.startsWith("--seed="))?.slice("--seed=".length) ?? 1);
  const names = args.length
    ? args
    : readdirSync(dir).filter((f) => f.endsWith(".schema.json")).map((f) => f.slice(0, -".schema.json".length)).sort();
  for (const name of names) console.log(JSON.stringify({ ...(await runDataset(dir, name, { grid: process.argv.includes("--grid"), seed })), backend: backend.name }));
}
