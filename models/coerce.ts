import type { AttributeValue } from "./feature-schema.js";

/**
 * How raw attribute values are read, shared by fitting and encoding so the two never disagree.
 * Missing means null, undefined, an empty or blank string, or a value of the wrong kind.
 */

/** A finite number, or NaN for missing. Numeric strings ("12.5") are accepted, booleans are 1/0. */
export const toNumber = (v: AttributeValue | undefined): number => {
  if (typeof v === "number") return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === "string") {
    if (v.trim() === "") return Number.NaN;
    const n = Number(v);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  if (typeof v === "boolean") return v ? 1 : 0;
  return Number.NaN;
};

/** 1 true, 0 false, -1 missing. Accepts booleans, 1/0 and "true"/"false"/"1"/"0"/"yes"/"no". */
export const toBoolean = (v: AttributeValue | undefined): 1 | 0 | -1 => {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v === 1 ? 1 : v === 0 ? 0 : -1;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true" || s === "1" || s === "yes") return 1;
    if (s === "false" || s === "0" || s === "no") return 0;
  }
  return -1;
};

/** The level string of a categorical value (numbers and booleans as text), or null for missing. */
export const toLevel = (v: AttributeValue | undefined): string | null => {
  if (typeof v === "string") return v.trim() === "" ? null : v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return v ? "true" : "false";
  return null;
};

/** Quantile q of ascending sorted values, with linear interpolation between order statistics. */
export const quantileSorted = (sorted: Float64Array, q: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
};
