/**
 * Model quality and training time on the demo population, through the same `train` task the
 * worker runs (run: npm run bench -- train, or npx tsx tests/bench/train/demo.bench.ts [--files=N]).
 *
 * Two settings, one JSON line each:
 * - "history": the 100,000-file demo population with the labels its control history gives (the
 *   latest control per file, as the training job reads them), default split (temporal).
 * - "full": every file labelled once by a seeded draw from the generator's true probability, so
 *   that 100,000 labelled files (× 25 attributes) train; this one gives the training time.
 * Each line prints precision@10% on the validation rows for our model, the logistic baseline
 * and the oracle (validation rows ranked by the generator's true probability), and the model's
 * share of the oracle (target ≥ 0.85) — plus the expected precision@10% over the whole population
 * (mean true probability of the top 10% of files), which no selection bias or label noise distorts.
 */
import { demoPopulation } from "../../../data/demo/generate.js";
import { demoSchema } from "../../../data/demo/schema.js";
import {
  type Attributes,
  encodeRows,
  evaluateScores,
  loadModel,
  mulberry32,
  selectBackend,
  stratifiedSplit,
  takeRows,
  takeValues,
  trainLogisticBaseline,
  wrapModel,
} from "../../../models/index.js";
import { train } from "../../../services/worker/tasks/train.js";
import { trainingColumns, type TrainingRow } from "../../../services/worker/training-input.js";

/** `--files=N` changes the population size (positional arguments belong to other train benches). */
const FILES = Number(process.argv.find((a) => a.startsWith("--files="))?.slice("--files=".length) ?? 100_000);
const backend = await selectBackend("wasm");
const schema = demoSchema();

const precisionAt = (labels: Uint8Array, scores: ArrayLike<number>, capacity = 0.1) =>
  evaluateScores(labels, scores, { capacities: [capacity], listSizes: [] }).atCapacity[0].precision;

/** Mean true probability of the top `capacity` of files by `scores`: expected precision of that list. */
const expectedPrecision = (truth: Float64Array, scores: ArrayLike<number>, capacity = 0.1) => {
  const order = Array.from({ length: truth.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const k = Math.round(capacity * truth.length);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += truth[order[i]];
  return sum / k;
};

async function run(setting: "history" | "full", files: number) {
  const t0 = performance.now();
  const rows: TrainingRow[] = [];
  const truthOfRow: number[] = [];
  const population: Attributes[] = [];
  const populationTruth: number[] = [];
  const draw = mulberry32(20_251);
  for (const r of demoPopulation({ files, seed: 1 })) {
    population.push(r.file.attributes);
    populationTruth.push(r.truth);
    if (setting === "history") {
      if (r.outcomes.length === 0) continue;
      const last = r.outcomes.reduce((a, b) => (a.controlledAt >= b.controlledAt ? a : b));
      rows.push({ fileId: r.file.id, controlledAt: last.controlledAt, outcome: last.outcome, selectedBy: last.selectedBy, selectionProbability: last.selectionProbability, attributes: r.file.attributes });
    } else {
      rows.push({ fileId: r.file.id, controlledAt: "2025-06-02", outcome: draw() < r.truth ? 1 : 0, selectedBy: "exploration", selectionProbability: null, attributes: r.file.attributes });
    }
    truthOfRow.push(r.truth);
  }
  const data = trainingColumns(schema, rows);
  const labels = data.labels.slice();
  const prepareMs = performance.now() - t0;
  const t1 = performance.now();
  const out = await train({
    data,
    schema,
    split: setting === "history" ? { kind: "auto", validationFraction: 0.2 } : { kind: "random", validationFraction: 0.2 },
    seed: 1,
    params: {},
    ipw: false,
    champion: null,
    meta: {},
  });
  const taskMs = performance.now() - t1;

  // Rebuild the split the task chose, to rank its validation rows by the truth (oracle) and to
  // refit the logistic baseline exactly as the task did (same rows, encoder and seed).
  const model = loadModel(out.artifact);
  let trainIdx: Int32Array;
  let valIdx: Int32Array;
  if (out.split.kind === "temporal") {
    const from = Date.parse(`${out.split.validationFrom}T00:00:00Z`);
    const t: number[] = [];
    const v: number[] = [];
    rows.forEach((r, i) => (Date.parse(`${r.controlledAt}T00:00:00Z`) >= from ? v : t).push(i));
    trainIdx = Int32Array.from(t);
    valIdx = Int32Array.from(v);
  } else {
    ({ train: trainIdx, validation: valIdx } = stratifiedSplit(labels, 0.2, 1));
  }
  const encoded = encodeRows(model.encoder, rows.map((r) => r.attributes)).X;
  const nCols = model.encoder.nCols;
  const logisticFit = await trainLogisticBaseline({
    X: takeRows(encoded, nCols, trainIdx),
    y: takeValues(labels, trainIdx),
    nCols,
    valX: takeRows(encoded, nCols, valIdx),
    valY: takeValues(labels, valIdx),
    seed: 1,
  });
  const report = out.metrics.validation;
  const modelP10 = report.atCapacity.find((c) => c.capacity === 0.1)!.precision;
  const logistic = (out.baselines.logistic as { report: typeof report }).report;
  const logisticP10 = logistic.atCapacity.find((c) => c.capacity === 0.1)!.precision;
  const oracleP10 = precisionAt(takeValues(labels, valIdx), Array.from(valIdx, (i) => truthOfRow[i]));
  const line: Record<string, unknown> = {
    bench: "train-demo",
    setting,
    backend: backend.name,
    files,
    labelled: rows.length,
    attributes: schema.attributes.length,
    split: out.split,
    train: out.counts.train,
    validation: out.counts.validation,
    validationPositives: out.counts.validationPositives,
    encodedColumns: out.counts.encodedColumns,
    epochs: (out.metrics.training.history as unknown[]).length,
    prepareMs: Math.round(prepareMs),
    trainMs: out.metrics.training.durationMs,
    taskMs: Math.round(taskMs),
    valAucRoc: report.aucRoc,
    logisticAucRoc: logistic.aucRoc,
    precisionAt10: { model: modelP10, logistic: logisticP10, oracle: oracleP10 },
    modelShareOfOracle: modelP10 / oracleP10,
    modelBeatsLogistic: modelP10 > logisticP10,
    // The refit above must be the task's own logistic baseline, or the population figures lie.
    logisticRefitMatches: evaluateScores(takeValues(labels, valIdx), logisticFit.valScores).aucRoc === logistic.aucRoc,
    unbiased: { rows: out.metrics.unbiased.rows, positives: out.metrics.unbiased.positives, aucRoc: out.metrics.unbiased.report?.aucRoc ?? null },
  };
  // Over the whole population, the expected precision of a top-10 % list is the mean true
  // probability of the files on it: no selection bias, no sampling noise from observed outcomes.
  const X = encodeRows(model.encoder, population).X;
  const truth = Float64Array.from(populationTruth);
  const logisticModel = wrapModel({ network: logisticFit.network, encoder: model.encoder, calibration: logisticFit.calibration, meta: {} });
  const exp = {
    model: expectedPrecision(truth, model.predict(X, population.length)),
    logistic: expectedPrecision(truth, logisticModel.predict(X, population.length)),
    oracle: expectedPrecision(truth, truth),
  };
  logisticModel.dispose();
  line.populationExpectedPrecisionAt10 = { ...exp, modelShareOfOracle: exp.model / exp.oracle, modelBeatsLogistic: exp.model > exp.logistic };
  model.dispose();
  console.log(JSON.stringify(line));
}

await run("history", FILES);
await run("full", Math.round(FILES * 1.25));
