import type { AttributeEncoding } from "./encoder-state.js";

/**
 * One reason in words: the attribute's label, this file's value, the typical training value it is
 * compared with (the encoder's `typical`: median for numerics and dates, most frequent level for
 * categoricals and booleans) and the direction of its contribution. Pure, so the API, CSV export and
 * web app can share it. Not yet stored with scores: callers pass the file's raw value themselves.
 */
export interface ReasonInWords {
  attribute: string;
  label: string;
  value: string | number | boolean | null;
  reference: string | number | boolean | null;
  comparison: "above" | "below" | "equal" | "differs" | "missing";
  direction: "raises" | "lowers";
  text: string;
}

const compareNumbers = (v: number, ref: number): ReasonInWords["comparison"] => (v > ref ? "above" : v < ref ? "below" : "equal");

/** One formatter per locale: building an Intl.NumberFormat costs more than formatting many numbers. */
const formatters = new Map<string, Intl.NumberFormat>();
const compactNumbers = (locale: string): Intl.NumberFormat => {
  let format = formatters.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { notation: "compact", maximumSignificantDigits: 3 });
    formatters.set(locale, format);
  }
  return format;
};

/** Formats a value for a reader: compact numbers ("1.2M"), dates as YYYY-MM-DD, text as is. */
export const formatValue = (encoding: AttributeEncoding, value: unknown, locale = "en"): string => {
  if (value === null || value === undefined || value === "") return "missing";
  if (encoding.type === "numeric" && typeof value === "number") {
    return compactNumbers(locale).format(value);
  }
  if (encoding.type === "date") return new Date(typeof value === "number" ? value : String(value)).toISOString().slice(0, 10);
  if (encoding.type === "boolean") return value ? "yes" : "no";
  return String(value);
};

/**
 * The encoding's typical value as shown, once per encoding and locale: it is the same for every
 * file, and formatting numbers was most of the cost of a list's reasons in words.
 */
const typicalShownCache = new WeakMap<AttributeEncoding, Map<string, string>>();
const typicalShown = (encoding: AttributeEncoding, locale: string): string => {
  let byLocale = typicalShownCache.get(encoding);
  if (!byLocale) typicalShownCache.set(encoding, (byLocale = new Map()));
  let shown = byLocale.get(locale);
  if (shown === undefined) byLocale.set(locale, (shown = formatValue(encoding, encoding.typical, locale)));
  return shown;
};

const comparisonOf = (encoding: AttributeEncoding, value: unknown): ReasonInWords["comparison"] => {
  if (value === null || value === undefined || value === "") return "missing";
  switch (encoding.type) {
    case "numeric":
      return compareNumbers(Number(value), encoding.typical);
    case "date":
      return compareNumbers(new Date(value as string).getTime(), encoding.typical);
    case "categorical":
      return String(value) === encoding.typical ? "equal" : "differs";
    case "boolean":
      return Boolean(value) === encoding.typical ? "equal" : "differs";
  }
};

const PHRASE: Record<ReasonInWords["comparison"], (ref: string) => string> = {
  above: (ref) => `above the typical ${ref}`,
  below: (ref) => `below the typical ${ref}`,
  equal: (ref) => `the typical ${ref}`,
  differs: (ref) => `unlike the most common ${ref}`,
  missing: () => "not given",
};

/** "turnover 1.2M, above the typical 850K: raises the risk". */
export const reasonInWords = (
  encoding: AttributeEncoding,
  reason: { attribute: string; contribution: number },
  value: unknown,
  options: { label?: string; locale?: string } = {},
): ReasonInWords => {
  const label = options.label ?? reason.attribute;
  const comparison = comparisonOf(encoding, value);
  const direction = reason.contribution < 0 ? "lowers" : "raises";
  const shown = formatValue(encoding, value, options.locale);
  const reference = typicalShown(encoding, options.locale ?? "en");
  const text =
    comparison === "missing"
      ? `${label} not given: ${direction} the risk`
      : `${label} ${shown}, ${PHRASE[comparison](reference)}: ${direction} the risk`;
  return {
    attribute: reason.attribute,
    label,
    value: (value ?? null) as ReasonInWords["value"],
    reference: encoding.typical,
    comparison,
    direction,
    text,
  };
};
