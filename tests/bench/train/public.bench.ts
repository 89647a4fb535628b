/**
 * The default training against tuned gradient-boosted trees and logistic regression on public
 * tabular datasets (run: npm run bench -- train). Exports the datasets with
 * tests/bench/public/export-mlbench.R (Debian r-cran-mlbench, r-cran-modeldata), runs
 * tests/bench/public/xgboost_reference.py (Debian python3-xgboost, python3-sklearn, python3-pandas:
 * tuned XGBoost and tuned logistic regression, this run) and tests/bench/public/ours.ts (trainAuto
 * with default settings, and our own logistic baseline) on the same train/test rows, then prints
 * the quality table as one JSON line per dataset: rows, positives %, test ROC-AUC of the model,
 * logistic (scikit-learn; `logisticOurs` is the service's baseline), gbt, gap = model −
 * max(gbt, logistic) (the target is gap ≥ −0.01) and training seconds. `--grid` adds the tuned grid
 * with CV bagging of 2026-11-28. Missing tools print a "skipped" line naming the packages to install.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { selectBackend } from "../../../models/index.js";
import { runDataset } from "../public/ours.js";

const here = import.meta.dirname;
const out = resolve(here, "../../../var/bench/public");
const PYTHON = "/usr/bin/python3"; // Debian's python, where python3-xgboost installs (not a pyenv shim)

const exported = spawnSync("Rscript", [resolve(here, "../public/export-mlbench.R"), out], { encoding: "utf8" });
if (exported.status !== 0) {
  console.log(JSON.stringify({ bench: "train-public", skipped: `Rscript/mlbench failed (apt-get install r-base-core r-cran-mlbench r-cran-modeldata): ${exported.error?.message ?? exported.stderr}` }));
  process.exit(0);
}
const xgb = spawnSync(PYTHON, [resolve(here, "../public/xgboost_reference.py"), out], { encoding: "utf8", maxBuffer: 1 << 24 });
if (xgb.status !== 0 || !existsSync(PYTHON)) {
  console.log(JSON.stringify({ bench: "train-public", skipped: `xgboost reference failed (apt-get install python3-xgboost python3-sklearn python3-pandas): ${xgb.error?.message ?? xgb.stderr.slice(-500)}` }));
  process.exit(0);
}
const references = xgb.stdout
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { dataset: string; n: number; xgboost: number; logistic: number; best: unknown });
const backend = await selectBackend("wasm");
const r4 = (x: number) => Number(x.toFixed(4));
let met = 0;
for (const ref of references) {
  const ours = await runDataset(out, ref.dataset, { grid: process.argv.includes("--grid") });
  // The target: within 0.01 ROC-AUC of the better of gradient-boosted trees and logistic regression.
  const reference = Math.max(ref.xgboost, ref.logistic);
  const gap = ours.model - reference;
  if (gap >= -0.01) met++;
  console.log(
    JSON.stringify({
      bench: "train-public",
      dataset: ref.dataset,
      rows: ref.n,
      testRows: ours.nTest,
      positivesPct: Number((100 * ours.positives).toFixed(1)),
      model: r4(ours.model),
      logistic: r4(ref.logistic),
      logisticOurs: r4(ours.logistic),
      gbt: r4(ref.xgboost),
      gap: r4(gap),
      withinTarget: gap >= -0.01,
      trainSeconds: Number(ours.trainSeconds.toFixed(1)),
      blend: ours.ensemble.blend,
      members: ours.ensemble.members,
      skipped: ours.ensemble.skipped,
      ...(ours.grid ? { grid: r4(ours.grid.ours), gridBest: ours.grid.best } : {}),
      backend: backend.name,
      gbtBest: ref.best,
    }),
  );
}
console.log(JSON.stringify({ bench: "train-public", summary: `${met} of ${references.length} datasets within 0.01 ROC-AUC of max(gbt, logistic)` }));
