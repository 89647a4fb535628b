/**
 * Seeded demo population of a fictional tax administration: files, their past controls and the hidden
 * truth, for demos, tests and benchmarks. The stated design, which tests/unit/data checks:
 *
 * Files
 * - ids `F0000001`...: the 1-based index zero-padded to 7 digits, so lexical order is index order (keyset
 *   ranges); at most MAX_FILES files.
 * - 20 units (units.ts) with Zipf sizes (weight 1/rank: "central" about 28%, "capital" about 1.4%).
 * - 25 attributes (schema.ts): 6 categorical (region and owner_age_band are fairness segments,
 *   contact_language is ignored), 1 date (registration_date), 13 numeric (log-normal turnover, income,
 *   deductions and amount_at_stake, the amountAttribute; ratios; counts) and 5 boolean.
 * - Missing values (attributes.ts MISSING_RATES), independent per file: employees 2%, deductions and
 *   deduction_ratio 4%, cash_share 8%, income_change 3% plus every business under a year old (about 10%),
 *   expense_growth 5%, uses_accountant 2%, filing_channel 3%, owner_age_band 6%; the rest never.
 *
 * Truth (truth.ts)
 * - p = logistic(non-linear logit of the current attributes, with interactions), for TRUTH_YEAR 2025.
 *   Mean p over the population is about 8% (stated range: 5% to 10%).
 * - Mild drift: for year y, t = 2025 - y years back, the logit moves by -0.05 t overall, +0.12 t for
 *   hospitality and -0.10 t for it_services.
 *
 * Control history (history.ts), years 2021 to 2025, each year independently per file:
 * - exploration: a lottery with probability EXPLORATION_RATE = 0.004, recorded exactly;
 * - otherwise the manual rules: probability 0.01, x4 in a targeted sector (construction, hospitality;
 *   plus retail from 2023), x3 when amount_at_stake >= 20,000 (about the top 10%), x1.5 with two or
 *   more late filings, cap 0.5; the probability is recorded from 2023 on, left empty before;
 * - 2021 records come from a legacy system: selected_by "unknown", no probability;
 * - about 2.4% of files are controlled a year in 2021-2022 and 3.0% from 2023; exploration makes about 14%
 *   of the controls from 2022 on (17% in 2022, 13.5% after); a file may be controlled in several years;
 * - the rules pick files that are riskier than average: the hit rate of all controls is about 10%;
 * - outcome ~ Bernoulli(p of that year); recovered amount = 10% to 90% of amount_at_stake when 1, else empty;
 *   controlled_at is a weekday of the year; inspector is one of the unit's (`north-03`).
 *
 * Determinism and streaming: a file's values come only from (seed, index) through its own PRNG streams
 * (random.ts), never Math.random, so the population for a seed is the same on every run, and the first n
 * files are the same whatever the total. Rows are yielded one at a time: memory does not grow with size.
 * write-csv.ts streams them to files.csv, outcomes.csv, truth.csv (id, p: never imported; the oracle
 * for benchmarks) and schema.json: 1,000,000 files in about 25 s with a peak RSS of about 150 MB.
 */
import type { Attributes } from "../../models/feature-schema.js";
import { generateAttributes } from "./attributes.js";
import { controlHistory, type DemoOutcome } from "./history.js";
import { rngFor } from "./random.js";
import { irregularityProbability } from "./truth.js";
import { UNIT_SHARES, UNITS, inspectorsOf } from "./units.js";

export type { DemoOutcome, SelectedBy } from "./history.js";

/** Ids have 7 digits, so at most 9,999,999 files keep lexical order equal to index order. */
export const MAX_FILES = 9_999_999;

export interface DemoOptions {
  /** Number of files, 0 to MAX_FILES. */
  files: number;
  /** Any integer; taken modulo 2^32. */
  seed: number;
}

/** One generated file with its hidden probability of irregularity (TRUTH_YEAR) and its past controls. */
export interface DemoRow {
  file: { id: string; unit: string; attributes: Attributes };
  truth: number;
  outcomes: DemoOutcome[];
}

/** File id of the 0-based index: `F` and the 1-based number on 7 digits. */
export const demoFileId = (index: number): string => `F${String(index + 1).padStart(7, "0")}`;

const INSPECTORS = UNITS.map((_, i) => inspectorsOf(i));
const UNIT_IDS = UNITS.map((u) => u.id);
const UNIT_INDEXES = UNITS.map((_, i) => i);

/** Stream purpose of a file's unit and attributes (history.ts uses 1000 + year). */
const ATTRIBUTE_PURPOSE = 0;

/** The row of the file at 0-based `index`: a pure function of (seed, index). */
export const demoRow = (seed: number, index: number): DemoRow => {
  const rng = rngFor(seed, index, ATTRIBUTE_PURPOSE);
  const unitIndex = rng.weighted(UNIT_INDEXES, UNIT_SHARES);
  const attributes = generateAttributes(rng, unitIndex);
  return {
    file: { id: demoFileId(index), unit: UNIT_IDS[unitIndex], attributes },
    truth: irregularityProbability(attributes),
    outcomes: controlHistory(seed, index, attributes, INSPECTORS[unitIndex]),
  };
};

/** Yields the demo population one row at a time (bounded memory for any size). */
export function* demoPopulation(opts: DemoOptions): Generator<DemoRow> {
  if (!Number.isInteger(opts.files) || opts.files < 0 || opts.files > MAX_FILES) {
    throw new RangeError(`files must be an integer from 0 to ${MAX_FILES}, got ${opts.files}`);
  }
  if (!Number.isInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  for (let i = 0; i < opts.files; i += 1) yield demoRow(opts.seed, i);
}
