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
 * The detailed figures are those of seed 1; `seeds` repeats the task with seeds 1–3 (`--seeds=N`)
 * and gives the mean, min and max of each figure, because 255 validation rows make one seed's
 * precision@10% move by a few hits (±0.03), more than the model/logistic gap.
 */
import { demoPopulation } from "../../../data/demo/generate.js";
import { demoSchema } from "../../../data/demo/schema.js";
import {
  type Attributes,
  encodeRows,
  evaluateScores,
  fitEncoder,
  loadModel,
  mulberry32,
  resolveL2,
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
const SEEDS = Number(process.argv.find((a) => a.startsWith("--seeds="))?.slice("--seeds=".length) ?? 3);
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
  const truth = Float64Array.from(populationTruth);
  const popOracle = expectedPrecision(truth, truth);
  let populationX: Float32Array | undefined;
  const perSeed: SeedFigures[] = [];
  let line: Record<string, unknown> = {};
  for (let seed = 1; seed <= SEEDS; seed++) {
    const t1 = performance.now();
    const out = await train({
      data,
      schema,
      split: setting === "history" ? { kind: "auto", validationFraction: 0.2 } : { kind: "random", validationFraction: 0.2 },
      seed,
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
      ({ train: trainIdx, validation: valIdx } = stratifiedSplit(labels, 0.2, seed));
    }
    // The task's logistic baseline uses the plain encoding (no piecewise-linear segments), fitted
    // on the training rows: refit it the same way.
    const plain = fitEncoder(schema, Array.from(trainIdx, (i) => rows[i].attributes));
    const encoded = encodeRows(plain, rows.map((r) => r.attributes)).X;
    const nCols = plain.nCols;
    const logisticFit = await trainLogisticBaseline({
      X: takeRows(encoded, nCols, trainIdx),
      y: takeValues(labels, trainIdx),
      nCols,
      valX: takeRows(encoded, nCols, valIdx),
      valY: takeValues(labels, valIdx),
      seed,
    });
    const report = out.metrics.validation;
    const modelP10 = report.atCapacity.find((c) => c.capacity === 0.1)!.precision;
    const logistic = (out.baselines.logistic as { report: typeof report }).report;
    const logisticP10 = logistic.atCapacity.find((c) => c.capacity === 0.1)!.precision;
    const oracleP10 = precisionAt(takeValues(labels, valIdx), Array.from(valIdx, (i) => truthOfRow[i]));
    // Over the whole population, the expected precision of a top-10 % list is the mean true
    // probability of the files on it: no selection bias, no sampling noise from observed outcomes.
    // The encoder depends on the split only, which is the same for every seed when temporal.
    if (!populationX || out.split.kind !== "temporal") populationX = encodeRows(model.encoder, population).X;
    const logisticModel = wrapModel({ network: logisticFit.network, encoder: plain, calibration: logisticFit.calibration, meta: {} });
    const exp = {
      model: expectedPrecision(truth, model.predict(populationX, population.length)),
      logistic: expectedPrecision(truth, logisticModel.predict(encodeRows(plain, population).X, population.length)),
      oracle: popOracle,
    };
    logisticModel.dispose();
    model.dispose();
    const trainMs = out.metrics.training.durationMs as number;
    perSeed.push({ seed, trainMs, validation: { model: modelP10, logistic: logisticP10, oracle: oracleP10 }, population: exp });
    if (seed !== 1) continue;
    line = {
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
      params: { l2: out.params.l2, resolvedL2: resolveL2(out.params.l2, out.counts.train) },
      epochs: (out.metrics.training.history as unknown[]).length,
      prepareMs: Math.round(prepareMs),
      trainMs,
      taskMs: Math.round(taskMs),
      valAucRoc: report.aucRoc,
      logisticAucRoc: logistic.aucRoc,
      precisionAt10: { model: modelP10, logistic: logisticP10, oracle: oracleP10 },
      modelShareOfOracle: modelP10 / oracleP10,
      modelBeatsLogistic: modelP10 > logisticP10,
      // The refit above must be the task's own logistic baseline, or the population figures lie.
      logisticRefitMatches: evaluateScores(takeValues(labels, valIdx), logisticFit.valScores).aucRoc === logistic.aucRoc,
      unbiased: { rows: out.metrics.unbiased.rows, positives: out.metrics.unbiased.positives, aucRoc: out.metrics.unbiased.report?.aucRoc ?? null },
      populationExpectedPrecisionAt10: { ...exp, modelShareOfOracle: exp.model / exp.oracle, modelBeatsLogistic: exp.model > exp.logistic },
    };
  }
  line.seeds = summarize(perSeed);
  console.log(JSON.stringify(line));
}

interface Figures {
  model: number;
  logistic: number;
  oracle: number;
}
interface SeedFigures {
  seed: number;
  trainMs: number;
  validation: Figures;
  population: Figures;
}

const round = (x: number) => Number(x.toFixed(4));
const spread = (xs: number[]) => ({ mean: round(xs.reduce((a, b) => a + b, 0) / xs.length), min: round(Math.min(...xs)), max: round(Math.max(...xs)) });

/** Mean/min/max over seeds of each figure, and whether the model beat logistic on every seed. */
const summarize = (runs: SeedFigures[]) => {
  const part = (key: "validation" | "population") => ({
    model: spread(runs.map((r) => r[key].model)),
    logistic: spread(runs.map((r) => r[key].logistic)),
    oracle: spread(runs.map((r) => r[key].oracle)),
    modelShareOfOracle: spread(runs.map((r) => r[key].model / r[key].oracle)),
    modelBeatsLogisticEverySeed: runs.every((r) => r[key].model > r[key].logistic),
  });
  return {
    seeds: runs.map((r) => r.seed),
    trainMs: spread(runs.map((r) => r.trainMs)),
    precisionAt10: part("validation"),
    populationExpectedPrecisionAt10: part("population"),
  };
};

await run("history", FILES);
await run("full", Math.round(FILES * 1.25));
