/**
 * Our trainer against a tuned XGBoost on public tabular datasets (run: npm run bench -- train).
 * Exports the datasets with tests/bench/public/export-mlbench.R (Debian r-cran-mlbench), runs
 * tests/bench/public/xgboost_reference.py (Debian python3-xgboost, python3-sklearn, python3-pandas)
 * and tests/bench/public/ours.ts on the same train/test rows, then prints one JSON line per dataset:
 * { dataset, n, ours, xgboost, delta } with test ROC-AUC (delta = ours − xgboost; the target is
 * delta ≥ −0.01). Missing tools print a "skipped" line naming the Debian packages to install.
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
  console.log(JSON.stringify({ bench: "train-public", skipped: `Rscript/mlbench failed (apt-get install r-base-core r-cran-mlbench): ${exported.error?.message ?? exported.stderr}` }));
  process.exit(0);
}
const xgb = spawnSync(PYTHON, [resolve(here, "../public/xgboost_reference.py"), out], { encoding: "utf8", maxBuffer: 1 << 24 });
if (xgb.status !== 0 || !existsSync(PYTHON)) {
  console.log(JSON.stringify({ bench: "train-public", skipped: `xgboost reference failed (apt-get install python3-xgboost python3-sklearn python3-pandas): ${xgb.error?.message ?? xgb.stderr.slice(-500)}` }));
  process.exit(0);
}
const references = xgb.stdout.trim().split("\n").map((l) => JSON.parse(l) as { dataset: string; n: number; xgboost: number; best: unknown });
const backend = await selectBackend("wasm");
for (const ref of references) {
  const ours = await runDataset(out, ref.dataset);
  console.log(
    JSON.stringify({
      bench: "train-public",
      dataset: ref.dataset,
      n: ref.n,
      nTest: ours.nTest,
      ours: Number(ours.ours.toFixed(4)),
      xgboost: Number(ref.xgboost.toFixed(4)),
      delta: Number((ours.ours - ref.xgboost).toFixed(4)),
      withinTarget: ours.ours - ref.xgboost >= -0.01,
      oursDefault: Number(ours.oursDefault.toFixed(4)),
      backend: backend.name,
      oursBest: ours.best,
      xgboostBest: ref.best,
    }),
  );
}
