/**
 * The off-policy study (docs/benchmarks/2026-12-04-off-policy.md): on the synthetic history of
 * tests/unit/models/fixtures/off-policy-sim.ts, where the truth is known, how often each estimate's
 * 95 % interval covers the true hit rate of the candidate's list at 10 %, their bias, and how the
 * interval width depends on the exploration share. Run: npx tsx tests/bench/off-policy.study.ts
 */
import { offPolicyEstimate } from "../../models/off-policy.js";
import { simulateHistory, trueYield } from "../unit/models/fixtures/off-policy-sim.js";

const SEEDS = 50;
const kinds = ["ips", "snips", "dr", "naive"] as const;

for (const share of [0.05, 0.1, 0.2, 0.5]) {
  const stats = Object.fromEntries(kinds.map((k) => [k, { cover: 0, bias: 0, width: 0, absErr: 0 }]));
  let support = 0;
  let ess = 0;
  let truthMean = 0;
  let past = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { controls, population } = simulateHistory({ seed, rounds: 4, filesPerRound: 5000, explorationShare: share });
    const e = offPolicyEstimate(controls, population, 0.1, { resamples: 300, seed });
    const truth = trueYield(e.threshold!).hitRate;
    truthMean += truth / SEEDS;
    past += e.pastHitRate! / SEEDS;
    support += e.support.controls / SEEDS;
    ess += e.support.effectiveSize / SEEDS;
    for (const k of kinds) {
      const i = e.hitRate[k];
      const s = stats[k];
      if (i.low! <= truth && truth <= i.high!) s.cover++;
      s.bias += (i.value! - truth) / SEEDS;
      s.absErr += Math.abs(i.value! - truth) / SEEDS;
      s.width += (i.high! - i.low!) / SEEDS;
    }
  }
  console.log(
    `exploration ${share * 100}%: truth ${truthMean.toFixed(3)}, past lists' hit rate ${past.toFixed(3)}, support ${support.toFixed(0)} controls (effective ${ess.toFixed(1)})`,
  );
  for (const k of kinds) {
    const s = stats[k];
    console.log(`  ${k.padEnd(6)} coverage ${s.cover}/${SEEDS}  bias ${s.bias >= 0 ? "+" : ""}${s.bias.toFixed(4)}  mean |error| ${s.absErr.toFixed(4)}  mean width ${s.width.toFixed(4)}`);
  }
}
