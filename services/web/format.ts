/**
 * Numbers and dates as people read them (Intl), in one place so every page agrees. One locale for
 * the whole app: a list printed by one inspector must read the same for the next. Times in UTC,
 * said so, as in the audit trail.
 */
const LOCALE = "en-GB";

const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeZone: "UTC" });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const fmtDateTime = (d: Date | string | null | undefined) => (d == null ? "—" : `${dateTime.format(new Date(d))} UTC`);
export const fmtDate = (d: Date | string | null | undefined) => (d == null ? "—" : dateOnly.format(new Date(d)));
export const fmtInt = (n: number | null | undefined) => (n == null ? "—" : integer.format(n));
export const fmtNumber = (n: number | null | undefined) => (n == null ? "—" : decimal.format(n));
/** Scores and rates: a percentage with one decimal (0.1234 → 12.3%). */
export const fmtPercent = (p: number | null | undefined) => (p == null ? "—" : percent.format(p));

/** An attribute value of a file as a cell. */
export function fmtValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "number") return decimal.format(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export const ROLE_NAMES = { inspector: "Inspector", data_officer: "Data officer", auditor: "Auditor", admin: "Administrator" } as const;
