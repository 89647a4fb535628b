import type { Attributes } from "../../models/feature-schema.js";
import { rngFor } from "./random.js";
import { irregularityProbability } from "./truth.js";
import type { Sector } from "./attributes.js";

/** How a control was chosen, as in the outcomes table. */
export type SelectedBy = "model" | "exploration" | "manual" | "unknown";

/** One past control of a file, as a row of outcomes.csv (without the file id). */
export interface DemoOutcome {
  /** ISO yyyy-mm-dd, a weekday. */
  controlledAt: string;
  outcome: 0 | 1;
  /** Recovered amount, whole currency units; null when the control found nothing. */
  amount: number | null;
  selectedBy: SelectedBy;
  /** Probability the file had of being picked by that process, in (0, 1]; null when not recorded. */
  selectionProbability: number | null;
  inspector: string;
}

/** Control years, oldest first. */
export const CONTROL_YEARS = [2021, 2022, 2023, 2024, 2025] as const;

/** Records of this year and before come from the legacy system: selected_by "unknown", no probability. */
export const LEGACY_UNTIL = 2021;

/** Rule picks record their selection probability from this year on (empty before). */
export const RULE_PROBABILITY_RECORDED_FROM = 2023;

/** Each year, every file is drawn for a random (exploration) control with this exact probability. */
export const EXPLORATION_RATE = 0.004;

/**
 * The manual targeting rules. A file's yearly probability of a rule pick is RULE_BASE times 4 in a
 * targeted sector, times 3 when amount_at_stake >= LARGE_AMOUNT (about the top 10%), times 1.5 with two
 * or more late filings, capped at RULE_CAP. Mimics flag-then-sample-to-capacity practice.
 */
export const RULE = {
  base: 0.01,
  sectorFactor: 4,
  largeAmount: 20_000,
  amountFactor: 3,
  lateFactor: 1.5,
  cap: 0.5,
} as const;

/** Sectors the rules targeted: retail was added in 2023. */
export const targetedSectors = (year: number): ReadonlySet<Sector> =>
  new Set<Sector>(year >= 2023 ? ["construction", "hospitality", "retail"] : ["construction", "hospitality"]);

/** Probability that the rules pick this file in `year`. */
export const ruleProbability = (a: Attributes, year: number): number => {
  let q = RULE.base;
  if (targetedSectors(year).has(a.sector as Sector)) q *= RULE.sectorFactor;
  if ((a.amount_at_stake as number) >= RULE.largeAmount) q *= RULE.amountFactor;
  if ((a.late_filings_3y as number) >= 2) q *= RULE.lateFactor;
  return Math.min(RULE.cap, q);
};

const DAY_MS = 86_400_000;

/** A weekday of `year`: a uniform day, moved back to Friday if it falls on a weekend. */
const workday = (year: number, u: number): string => {
  const start = Date.UTC(year, 0, 1);
  const days = (Date.UTC(year + 1, 0, 1) - start) / DAY_MS;
  const d = new Date(start + Math.floor(u * days) * DAY_MS);
  const dow = d.getUTCDay();
  const back = dow === 6 ? 1 : dow === 0 ? 2 : 0;
  const day = new Date(d.getTime() - back * DAY_MS);
  // Jan 1 or 2 on a weekend would move into the previous year: move forward to Monday instead.
  const out = day.getUTCFullYear() === year ? day : new Date(d.getTime() + (dow === 6 ? 2 : 1) * DAY_MS);
  return out.toISOString().slice(0, 10);
};

/** Stream purposes: 0 is the file's attributes, 1000 + year its control draws of that year. */
export const HISTORY_PURPOSE = 1000;

/**
 * The controls of one file over CONTROL_YEARS. Each year draws from its own stream (seed, index, year):
 * first the exploration lottery, then, if not explored, the rule lottery; a controlled file's outcome is
 * Bernoulli(irregularityProbability(attributes, year)).
 */
export const controlHistory = (seed: number, index: number, a: Attributes, inspectors: readonly string[]): DemoOutcome[] => {
  const out: DemoOutcome[] = [];
  for (const year of CONTROL_YEARS) {
    const rng = rngFor(seed, index, HISTORY_PURPOSE + year);
    const explored = rng.next() < EXPLORATION_RATE;
    const q = ruleProbability(a, year);
    const ruled = rng.next() < q;
    if (!explored && !ruled) continue;
    const controlledAt = workday(year, rng.next());
    const outcome = rng.next() < irregularityProbability(a, year) ? 1 : 0;
    // Recovered share of the sum at stake: 10% to 90%, skewed low.
    const share = 0.1 + 0.8 * rng.next() ** 1.5;
    const inspector = inspectors[rng.int(0, inspectors.length - 1)];
    const legacy = year <= LEGACY_UNTIL;
    out.push({
      controlledAt,
      outcome,
      amount: outcome === 1 ? Math.max(1, Math.round((a.amount_at_stake as number) * share)) : null,
      selectedBy: legacy ? "unknown" : explored ? "exploration" : "manual",
      selectionProbability: legacy
        ? null
        : explored
          ? EXPLORATION_RATE
          : year >= RULE_PROBABILITY_RECORDED_FROM
            ? Math.round(q * 1e6) / 1e6
            : null,
      inspector,
    });
  }
  return out;
};
