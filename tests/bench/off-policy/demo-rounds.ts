import { type DemoRow, demoPopulation } from "../../../data/demo/generate.js";
import { ruleProbability } from "../../../data/demo/history.js";
import { TRUTH_YEAR } from "../../../data/demo/truth.js";
import type { LoggedControl } from "../../../models/off-policy.js";
import { deriveSeed, mulberry32 } from "../../../models/prng.js";
import { ExcludedRanks, rankCandidates, selectFromPool } from "../../../services/lists/select.js";

/**
 * Simulated rounds of control lists on the demo population (data/demo), where each file's true
 * probability of irregularity is known, through the service's own selection (services/lists/select.ts:
 * per unit, the active model's top files plus a uniform exploration share, each pick with its exact
 * probability). Outcomes are drawn from the truth. Rounds are years: a file controlled in one round
 * is eligible again the next (the default exclusion window is 365 days), so every round draws from
 * the whole unit.
 *
 * Models are not trained here (a trained network per seed would take minutes): each "model" scores
 * a file as σ(logit(truth) + ε) with a per-file error ε ~ N(0, σ²) fixed for the file, so its quality
 * is set by σ; plus the demo's manual rules (history.ts ruleProbability), which rank by sector,
 * amount at stake and late filings and are not a probability of irregularity.
 */

export const CANDIDATES = {
  /** The model whose lists were worked (the logging policy). */
  active: 1,
  /** A better model, never deployed. */
  challenger: 0.5,
  /** A much weaker model. */
  weak: 2,
} as const;
export type CandidateName = keyof typeof CANDIDATES | "rules";
export const CANDIDATE_NAMES: CandidateName[] = ["active", "challenger", "weak", "rules"];

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const gaussian = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

export interface DemoWorld {
  rows: DemoRow[];
  truth: Float64Array;
  scores: Record<CandidateName, Float64Array>;
  /** File indexes of each unit. */
  units: Map<string, number[]>;
}

/** The demo population of `files` files for `seed`, with every candidate's score of every file. */
export function demoWorld(seed: number, files: number): DemoWorld {
  const rows = [...demoPopulation({ files, seed })];
  const truth = Float64Array.from(rows, (r) => r.truth);
  const rand = mulberry32(deriveSeed(seed, "model-errors"));
  const scores = {} as Record<CandidateName, Float64Array>;
  for (const [name, sigma] of Object.entries(CANDIDATES)) scores[name as CandidateName] = Float64Array.from(truth, (p) => sigmoid(logit(p) + sigma * gaussian(rand)));
  scores.rules = Float64Array.from(rows, (r) => ruleProbability(r.file.attributes, TRUTH_YEAR));
  const units = new Map<string, number[]>();
  rows.forEach((r, i) => {
    let list = units.get(r.file.unit);
    if (!list) units.set(r.file.unit, (list = []));
    list.push(i);
  });
  return { rows, truth, scores, units };
}

export interface LoggedPick {
  index: number;
  propensity: number;
  outcome: number;
  amount: number | null;
  selectedBy: "model" | "exploration";
}

/**
 * `rounds` rounds of one list per unit at `listShare` of the unit's files, ranked by the active
 * model with `explorationShare` exploration, outcomes drawn from the truth.
 */
export function simulateRounds(world: DemoWorld, opts: { seed: number; rounds: number; listShare: number; explorationShare: number }): LoggedPick[] {
  const rand = mulberry32(deriveSeed(opts.seed, `outcomes-${opts.explorationShare}`));
  const picks: LoggedPick[] = [];
  for (const [unit, members] of world.units) {
    const pool = rankCandidates(
      members.map((i) => ({ fileId: String(i), score: world.scores.active[i] })),
      "risk",
    );
    const capacity = Math.max(1, Math.round(opts.listShare * members.length));
    for (let r = 0; r < opts.rounds; r++) {
      const seed = deriveSeed(opts.seed, `list-${unit}-${r}-${opts.explorationShare}`);
      const selection = selectFromPool(pool, new ExcludedRanks(pool.ids.length), { capacity, explorationShare: opts.explorationShare, seed });
      for (const p of selection.picks) {
        const index = Number(p.fileId);
        const outcome = rand() < world.truth[index] ? 1 : 0;
        const stake = Number(world.rows[index].file.attributes.amount_at_stake) || 0;
        picks.push({ index, propensity: p.selectionProbability, outcome, amount: outcome ? stake * (0.1 + 0.8 * rand()) : null, selectedBy: p.selectedBy });
      }
    }
  }
  return picks;
}

/** The picks as a candidate's logged controls (its score of each controlled file). */
export const controlsFor = (world: DemoWorld, picks: LoggedPick[], name: CandidateName): LoggedControl[] =>
  picks.map((p) => ({ score: world.scores[name][p.index], propensity: p.propensity, outcome: p.outcome, amount: p.amount }));

/**
 * The true hit rate of the candidate's list of k files: the mean truth of the files scored above
 * `threshold`, with the files tied at it counted pro rata (as models/off-policy.ts cuts the list).
 */
export function trueHitRate(world: DemoWorld, name: CandidateName, threshold: number, k: number): number {
  const s = world.scores[name];
  let above = 0;
  let tied = 0;
  let sumAbove = 0;
  let sumTied = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] > threshold) {
      above++;
      sumAbove += world.truth[i];
    } else if (s[i] === threshold) {
      tied++;
      sumTied += world.truth[i];
    }
  }
  return (sumAbove + (tied ? ((k - above) / tied) * sumTied : 0)) / k;
}
