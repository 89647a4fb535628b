import { FeatureSchemaDefinition, type AttributeSpec } from "../../models/feature-schema.js";

/**
 * The 25 attributes of a demo file, in column order of files.csv. Attributes that the generator never
 * leaves empty are declared `missing: "reject"`, so an import of the demo data exercises both policies.
 * `region` and `owner_age_band` are fairness segments (never model inputs); `contact_language` is stored
 * but ignored, as a real administration would exclude it from targeting.
 */
export const DEMO_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: "sector", type: "categorical", role: "feature", missing: "reject", description: "Economic sector (12 levels)." },
  { name: "legal_form", type: "categorical", role: "feature", missing: "reject", description: "sole_trader, partnership, limited_company, corporation or cooperative." },
  { name: "region", type: "categorical", role: "segment", missing: "reject", description: "Region of the file's unit; used only to split fairness reports." },
  { name: "filing_channel", type: "categorical", role: "feature", missing: "allow", description: "online, agent or paper; 3% missing." },
  { name: "owner_age_band", type: "categorical", role: "segment", missing: "allow", description: "Age band of the owner or main director; 6% missing; fairness segment only." },
  { name: "contact_language", type: "categorical", role: "ignore", missing: "reject", description: "Language of correspondence; stored, never used for targeting." },
  { name: "registration_date", type: "date", role: "feature", missing: "reject", description: "Date the business was registered (ISO yyyy-mm-dd)." },
  { name: "employees", type: "numeric", role: "feature", missing: "allow", description: "Head count; 2% missing." },
  { name: "turnover", type: "numeric", role: "feature", missing: "reject", description: "Declared yearly turnover, whole currency units (log-normal)." },
  { name: "declared_income", type: "numeric", role: "feature", missing: "reject", description: "Declared taxable income, whole currency units." },
  { name: "deductions", type: "numeric", role: "feature", missing: "allow", description: "Claimed deductions, whole currency units; 4% missing." },
  { name: "deduction_ratio", type: "numeric", role: "feature", missing: "allow", description: "deductions / declared_income (4 decimals); missing with deductions." },
  { name: "cash_share", type: "numeric", role: "feature", missing: "allow", description: "Share of receipts in cash, 0 to 1 (3 decimals); 8% missing." },
  { name: "income_change", type: "numeric", role: "feature", missing: "allow", description: "Relative change of declared income on last year; missing for businesses under a year old and 3% of the rest." },
  { name: "expense_growth", type: "numeric", role: "feature", missing: "allow", description: "Relative change of declared expenses on last year; 5% missing." },
  { name: "late_filings_3y", type: "numeric", role: "feature", missing: "reject", description: "Returns filed late in the last three years." },
  { name: "prior_adjustments", type: "numeric", role: "feature", missing: "reject", description: "Corrections made to earlier returns (voluntary or not)." },
  { name: "bank_accounts", type: "numeric", role: "feature", missing: "reject", description: "Business bank accounts declared." },
  { name: "related_entities", type: "numeric", role: "feature", missing: "reject", description: "Other businesses sharing an owner or director." },
  { name: "amount_at_stake", type: "numeric", role: "feature", missing: "reject", description: "Tax at stake in the open return, whole currency units (log-normal); the amountAttribute." },
  { name: "foreign_transactions", type: "boolean", role: "feature", missing: "reject", description: "Declares cross-border transactions." },
  { name: "uses_accountant", type: "boolean", role: "feature", missing: "allow", description: "Return prepared by an accountant; 2% missing." },
  { name: "vat_registered", type: "boolean", role: "feature", missing: "reject", description: "Registered for VAT." },
  { name: "payment_arrears", type: "boolean", role: "feature", missing: "reject", description: "Has overdue tax payments." },
  { name: "refund_claimed", type: "boolean", role: "feature", missing: "reject", description: "The open return claims a refund." },
];

/** The numeric attribute that holds the sum at stake (ranks control lists by expected yield). */
export const DEMO_AMOUNT_ATTRIBUTE = "amount_at_stake";

/** The feature schema of the demo population, validated by the shared zod schema (throws if it drifts). */
export const demoSchema = (): FeatureSchemaDefinition =>
  FeatureSchemaDefinition.parse({
    attributes: DEMO_ATTRIBUTES.map((a) => ({ ...a })),
    amountAttribute: DEMO_AMOUNT_ATTRIBUTE,
  });
