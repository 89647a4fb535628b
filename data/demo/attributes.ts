import type { Attributes } from "../../models/feature-schema.js";
import type { Rng } from "./random.js";
import { REGION_OF, UNITS, type Region } from "./units.js";

/** "Today" for the demo: ages and the last control year (2025) are measured against it. */
export const REFERENCE_DATE = "2026-01-01";
export const REFERENCE_MS = Date.parse(`${REFERENCE_DATE}T00:00:00Z`);
const DAY_MS = 86_400_000;

export const SECTORS = [
  "retail",
  "construction",
  "hospitality",
  "transport",
  "manufacturing",
  "agriculture",
  "it_services",
  "real_estate",
  "health",
  "professional_services",
  "wholesale",
  "finance",
] as const;
export type Sector = (typeof SECTORS)[number];

/** Nationwide sector mix (sums to 1); REGION_SECTOR_BOOST tilts it per region. */
const SECTOR_WEIGHTS: Record<Sector, number> = {
  retail: 0.16,
  construction: 0.12,
  hospitality: 0.09,
  transport: 0.07,
  manufacturing: 0.08,
  agriculture: 0.06,
  it_services: 0.08,
  real_estate: 0.07,
  health: 0.07,
  professional_services: 0.1,
  wholesale: 0.05,
  finance: 0.05,
};

/** Regional tilts, so that segments correlate with risk the way real ones do (tourism on the coast...). */
const REGION_SECTOR_BOOST: Record<Region, Partial<Record<Sector, number>>> = {
  metropolitan: { it_services: 1.8, finance: 1.8, professional_services: 1.4, agriculture: 0.2 },
  northern: { manufacturing: 1.5, transport: 1.3 },
  southern: { agriculture: 1.6, construction: 1.3 },
  coastal: { hospitality: 2.5, transport: 1.3 },
  inland: { agriculture: 2.5, manufacturing: 1.3, finance: 0.6 },
};

/** Share of receipts in cash, median per sector. */
const CASH_BASE: Record<Sector, number> = {
  retail: 0.35,
  construction: 0.2,
  hospitality: 0.45,
  transport: 0.15,
  manufacturing: 0.05,
  agriculture: 0.2,
  it_services: 0.02,
  real_estate: 0.05,
  health: 0.1,
  professional_services: 0.05,
  wholesale: 0.1,
  finance: 0.01,
};

/** Sectors that trade across borders more often (foreign_transactions). */
const CROSS_BORDER = new Set<Sector>(["wholesale", "transport", "finance", "it_services"]);

export const AGE_BANDS = ["18-29", "30-44", "45-59", "60+"] as const;
export const LANGUAGES = ["nl", "fr", "de", "en"] as const;

/**
 * Probability that each attribute is left empty, drawn independently per file. income_change is also
 * always empty for businesses registered less than a year before REFERENCE_DATE (no previous return),
 * and deduction_ratio is empty exactly when deductions is.
 */
export const MISSING_RATES = {
  employees: 0.02,
  deductions: 0.04,
  cash_share: 0.08,
  income_change: 0.03,
  expense_growth: 0.05,
  uses_accountant: 0.02,
  filing_channel: 0.03,
  owner_age_band: 0.06,
} as const;

/** Rounds to `decimals`, and turns -0 into 0 (the CSV writes both as "0", so the value must round-trip). */
const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
};
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Days between a registration date (ISO) and REFERENCE_DATE. */
export const ageInDays = (isoDate: string): number => (REFERENCE_MS - Date.parse(`${isoDate}T00:00:00Z`)) / DAY_MS;

/**
 * The attributes of one file, from its own stream. Values are rounded before they are returned, so the
 * true probability computed from them is the one that the CSV values imply.
 */
export const generateAttributes = (rng: Rng, unitIndex: number): Attributes => {
  const region = REGION_OF.get(UNITS[unitIndex].id) as Region;
  const boost = REGION_SECTOR_BOOST[region];
  const sector = rng.weighted(
    SECTORS,
    SECTORS.map((s) => SECTOR_WEIGHTS[s] * (boost[s] ?? 1)),
  );

  // Business age: exponential with a 9-year mean (about 10% are under a year old), at most 45 years.
  const ageDays = Math.min(45 * 365, Math.floor(-Math.log(1 - rng.next()) * 9 * 365));
  const registrationDate = new Date(REFERENCE_MS - (ageDays + 1) * DAY_MS).toISOString().slice(0, 10);

  const employeesTrue = Math.max(0, Math.floor(rng.logNormal(0.6, 1.3)) - 1);
  const legalForm = rng.weighted(
    ["sole_trader", "partnership", "limited_company", "corporation", "cooperative"] as const,
    employeesTrue === 0 ? [0.7, 0.1, 0.18, 0.01, 0.01] : employeesTrue < 10 ? [0.25, 0.15, 0.5, 0.07, 0.03] : [0.03, 0.07, 0.5, 0.37, 0.03],
  );

  // Amounts are log-normal: turnover grows with head count; income is a margin of it.
  const turnover = Math.max(1_000, Math.round(rng.logNormal(10.8 + 0.75 * Math.log1p(employeesTrue), 0.9)));
  const margin = clamp(0.15 + 0.08 * rng.normal(), 0.01, 0.6);
  const declaredIncome = Math.max(100, Math.round(turnover * margin));
  const dedRatio = clamp(rng.logNormal(Math.log(0.15), 0.6), 0.001, 0.95);
  const deductions = Math.round(declaredIncome * dedRatio);
  const cash = clamp(CASH_BASE[sector] * rng.logNormal(0, 0.5) + 0.04 * rng.normal(), 0, 1);
  // Fat-tailed yearly changes: a normal body plus 5% large shocks.
  const incomeChange = 0.03 + 0.18 * rng.normal() + (rng.chance(0.05) ? 0.8 * rng.normal() : 0);
  const expenseGrowth = 0.6 * incomeChange + 0.02 + 0.15 * rng.normal();

  const usesAccountant = rng.chance(legalForm === "sole_trader" ? 0.45 : 0.8);
  const ageBand = rng.weighted(AGE_BANDS, ageDays < 5 * 365 ? [0.3, 0.45, 0.2, 0.05] : [0.05, 0.3, 0.4, 0.25]);
  const channelWeights = [0.8, usesAccountant ? 0.25 : 0.05, ageBand === "60+" ? 0.18 : 0.05];
  const filingChannel = rng.weighted(["online", "agent", "paper"] as const, channelWeights);
  const lateFilings = rng.poisson(0.35 + (filingChannel === "paper" ? 0.4 : 0) + (usesAccountant ? 0 : 0.2));
  const priorAdjustments = rng.poisson(0.15 + 0.1 * Math.min(lateFilings, 3));
  const bankAccounts = 1 + rng.poisson(0.5 + 0.3 * Math.log1p(employeesTrue));
  const relatedEntities = rng.poisson(legalForm === "corporation" ? 1.5 : legalForm === "limited_company" ? 0.5 : 0.15);
  const foreign = rng.chance(CROSS_BORDER.has(sector) ? 0.3 : 0.08);
  const vatRegistered = rng.chance(turnover > 30_000 ? 0.95 : 0.3);
  const arrears = rng.chance(0.05 + 0.04 * Math.min(lateFilings, 3));
  const refund = rng.chance(vatRegistered ? 0.25 : 0.05);
  // Tax at stake in the open return: about 4% of turnover, log-normal around it.
  const amountAtStake = Math.max(50, Math.round(0.04 * turnover * rng.logNormal(0, 0.6)));
  const language = rng.weighted(LANGUAGES, [0.55, 0.35, 0.03, 0.07]);

  // Missingness draws come last, from one uniform each, so that changing a rate moves no other value.
  const missing = (rate: number): boolean => rng.chance(rate);
  const m = {
    employees: missing(MISSING_RATES.employees),
    deductions: missing(MISSING_RATES.deductions),
    cash_share: missing(MISSING_RATES.cash_share),
    income_change: missing(MISSING_RATES.income_change) || ageDays < 365,
    expense_growth: missing(MISSING_RATES.expense_growth),
    uses_accountant: missing(MISSING_RATES.uses_accountant),
    filing_channel: missing(MISSING_RATES.filing_channel),
    owner_age_band: missing(MISSING_RATES.owner_age_band),
  };

  return {
    sector,
    legal_form: legalForm,
    region,
    filing_channel: m.filing_channel ? null : filingChannel,
    owner_age_band: m.owner_age_band ? null : ageBand,
    contact_language: language,
    registration_date: registrationDate,
    employees: m.employees ? null : employeesTrue,
    turnover,
    declared_income: declaredIncome,
    deductions: m.deductions ? null : deductions,
    deduction_ratio: m.deductions ? null : round(deductions / declaredIncome, 4),
    cash_share: m.cash_share ? null : round(cash, 3),
    income_change: m.income_change ? null : round(incomeChange, 4),
    expense_growth: m.expense_growth ? null : round(expenseGrowth, 4),
    late_filings_3y: lateFilings,
    prior_adjustments: priorAdjustments,
    bank_accounts: bankAccounts,
    related_entities: relatedEntities,
    amount_at_stake: amountAtStake,
    foreign_transactions: foreign,
    uses_accountant: m.uses_accountant ? null : usesAccountant,
    vat_registered: vatRegistered,
    payment_arrears: arrears,
    refund_claimed: refund,
  };
};
