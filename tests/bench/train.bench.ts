/**
 * Training and scoring benchmark for models/ (run: npx tsx tests/bench/train.bench.ts [backend]).
 * 100,000 training rows × 25 attributes (83 encoded columns) + 20,000 validation rows, default
 * TrainParams, then predict and explain on 1,000,000 encoded rows. Prints one JSON line.
 * Target (DESIGN.md): training ≤ 60 s on wasm on a 2-core machine.
 */
import { type BackendName, encodeRows, evaluateScores, selectBackend, trainModel, wrapModel } from "../../models/index.js";
import { syntheticRows, syntheticTask } from "../unit/models/fixtures/synthetic.js";

const backend = await selectBackend((process.argv[2] as BackendName | undefined) ?? "wasm");
const t0 = performance.now();
const task = syntheticTask({ rows: 100_000, valRows: 20_000, seed: 1 });
const prepareMs = performance.now() - t0;
const trained = await trainModel({ ...task, seed: 42 });
const report = evaluateScores(task.valY, trained.valScores);

const model = wrapModel({ network: trained.network, encoder: task.encoder, calibration: trained.calibration, meta: {} });
const scoringRows = syntheticRows({ rows: 100_000, seed: 99 }).rows;
const chunk = encodeRows(task.encoder, scoringRows).X;
const big = new Float32Array(1_000_000 * task.nCols);
for (let i = 0; i < 10; i++) big.set(chunk, i * chunk.length);
let t = performance.now();
const scores = model.predict(big, 1_000_000);
const predictMs = performance.now() - t;
t = performance.now();
model.explain(big, 1_000_000);
const explainMs = performance.now() - t;
t = performance.now();
encodeRows(task.encoder, scoringRows);
const encode100kMs = performance.now() - t;

console.log(
  JSON.stringify({
    backend: backend.name,
    rows: trained.nRows,
    valRows: trained.nValRows,
    attributes: task.encoder.attributes.length,
    encodedColumns: task.nCols,
    prepareMs: Math.round(prepareMs),
    trainMs: Math.round(trained.durationMs),
    epochs: trained.history.length,
    bestEpoch: trained.bestEpoch,
    stopReason: trained.stopReason,
    msPerEpoch: Math.round(trained.durationMs / trained.history.length),
    valPrAuc: report.prAuc,
    valAucRoc: report.aucRoc,
    encode100kMs: Math.round(encode100kMs),
    predict1MMs: Math.round(predictMs),
    explain1MMs: Math.round(explainMs),
    scored: scores.length,
  }),
);
