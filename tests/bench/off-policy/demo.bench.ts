/**
 * The off-policy study on the demo population (docs/benchmarks/2026-12-04-off-policy-demo.md):
 * simulated rounds of lists with exploration through services/lists/select.ts, outcomes from the
 * truth (demo-rounds.ts), then each candidate's hit rate at capacity estimated by IPS, SNIPS, DR
 * and the naive hit rate (models/off-policy.ts), against its true hit rate; per exploration share,
 * over seeds: coverage of the 95 % intervals, bias, interval width, support.
 * Run: npm run bench -- off-policy [--files 30000] [--seeds 20] [--rounds 4] [--resamples 200]
 * Prints one JSON line per (share, candidate), then a Markdown table.
 */
import { parseArgs } from "node:util";
import { offPolicyEstimate } from "../../../models/off-policy.js";
import { CANDIDATE_NAMES, type CandidateName, controlsFor, demoWorld, simulateRounds, trueHitRate } from "./demo-rounds.js";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "30000" },
    seeds: { type: "string", default: "20" },
    rounds: { type: "string", default: "4" },
    resamples: { type: "string", default: "200" },
    share: { type: "string", default: "0.1" },
  },
});
const FILES = Number(values.files);
const SEEDS = Number(values.seeds);
const ROUNDS = Number(values.rounds);
const RESAMPLES = Number(values.resamples);
/** The lists' capacity (share of each unit) and the candidates' capacity. */
const CAPACITY = Number(values.share);
const SHARES = [0.05, 0.1, 0.2, 0.5];
const KINDS = ["ips", "snips", "dr", "naive"] as const;

type Cell = { cover: number; bias: number; absErr: number; width: number; n: number };
const acc = new Map<string, { truth: number; past: number; support: number; ess: number; thin: number; kinds: Record<string, Cell> }>();
const cell = (share: number, name: CandidateName) => {
  const key = `${share}|${name}`;
  let a = acc.get(key);
  if (!a) acc.set(key, (a = { truth: 0, past: 0, support: 0, ess: 0, thin: 0, kinds: Object.fromEntries(KINDS.map((k) => [k, { cover: 0, bias: 0, absErr: 0, width: 0, n: 0 }])) }));
  return a;
};

const started = performance.now();
for (let seed = 1; seed <= SEEDS; seed++) {
  const world = demoWorld(seed, FILES);
  for (const share of SHARES) {
    const picks = simulateRounds(world, { seed, rounds: ROUNDS, listShare: CAPACITY, explorationShare: share });
    for (const name of CANDIDATE_NAMES) {
      const e = offPolicyEstimate(controlsFor(world, picks, name), world.scores[name], CAPACITY, { resamples: RESAMPLES, seed });
      const truth = trueHitRate(world, name, e.threshold!, e.k);
      const a = cell(share, name);
      a.truth += truth / SEEDS;
      a.past += (e.pastHitRate ?? 0) / SEEDS;
      a.support += e.support.controls / SEEDS;
      a.ess += e.support.effectiveSize / SEEDS;
      if (e.support.thin) a.thin++;
      for (const k of KINDS) {
        const i = e.hitRate[k];
        if (i.value === null || i.low === null || i.high === null) continue;
        const c = a.kinds[k];
        c.n++;
        if (i.low <= truth && truth <= i.high) c.cover++;
        c.bias += i.value - truth;
        c.absErr += Math.abs(i.value - truth);
        c.width += i.high - i.low;
      }
    }
  }
}
const seconds = (performance.now() - started) / 1000;

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;
const rows: string[] = [];
for (const share of SHARES) {
  for (const name of CANDIDATE_NAMES) {
    const a = cell(share, name);
    const kinds = Object.fromEntries(
      KINDS.map((k) => {
        const c = a.kinds[k];
        return [k, { coverage: `${c.cover}/${c.n}`, bias: c.bias / c.n, meanAbsError: c.absErr / c.n, meanWidth: c.width / c.n }];
      }),
    );
    console.log(JSON.stringify({ study: "off-policy-demo", files: FILES, seeds: SEEDS, rounds: ROUNDS, capacity: CAPACITY, explorationShare: share, candidate: name, truth: a.truth, pastHitRate: a.past, support: a.support, effectiveSize: a.ess, thinSeeds: a.thin, ...kinds }));
    for (const [i, k] of KINDS.entries()) {
      const c = kinds[k];
      rows.push(
        `| ${i === 0 ? `${share * 100} %` : ""} | ${i === 0 ? name : ""} | ${i === 0 ? f3(a.truth) : ""} | ${i === 0 ? `${a.support.toFixed(0)} (${a.ess.toFixed(1)}), thin in ${a.thin}/${SEEDS}` : ""} | ${k.toUpperCase()} | ${c.coverage} | ${signed(c.bias)} | ${f3(c.meanAbsError)} | ${f3(c.meanWidth)} |`,
      );
    }
  }
}
console.log(`\n${FILES} files, ${SEEDS} seeds, ${ROUNDS} rounds, lists of ${CAPACITY * 100} % of each unit, ${RESAMPLES} resamples: ${seconds.toFixed(1)} s\n`);
console.log("| exploration | candidate | true hit rate | controls in its list (effective), thin | estimate | coverage | bias | mean abs. error | mean width |");
console.log("|---|---|---|---|---|---|---|---|---|");
console.log(rows.join("\n"));
