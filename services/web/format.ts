import { AsyncLocalStorage } from "node:async_hooks";
import type { MiddlewareHandler } from "hono";
import type { WebBindings } from "./session.js";

/**
 * Numbers and dates as people read them (Intl), in one place so every page agrees. Each request
 * is formatted for its reader: the first language of the browser's Accept-Language that Intl
 * supports, else en-GB; dates in the service's time zone (WEB_TIME_ZONE, default UTC), whose name
 * is printed with each time, since a list printed in one office is read in another. The words stay
 * English (`<html lang="en">`); only numbers and dates follow the reader's locale.
 */
export const DEFAULT_LOCALE = "en-GB";

interface Formats {
  locale: string;
  timeZone: string;
  dateTime: Intl.DateTimeFormat;
  dateOnly: Intl.DateTimeFormat;
  integer: Intl.NumberFormat;
  decimal: Intl.NumberFormat;
  percent: Intl.NumberFormat;
}

/** Formatters are costly to build and few locales are ever seen: kept per (locale, time zone), at most 64. */
const built = new Map<string, Formats>();

export function formatsFor(locale: string, timeZone: string): Formats {
  const key = `${locale}|${timeZone}`;
  const kept = built.get(key);
  if (kept) return kept;
  const formats: Formats = {
    locale,
    timeZone,
    // Fields rather than dateStyle/timeStyle: those cannot be combined with the time zone's name.
    dateTime: new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone, timeZoneName: "short" }),
    dateOnly: new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone }),
    integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    decimal: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
    percent: new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  };
  if (built.size >= 64) built.delete(built.keys().next().value as string);
  built.set(key, formats);
  return formats;
}

/**
 * The reader's locale from an Accept-Language header: its tags by weight (q), the first that Intl
 * supports, else en-GB. A malformed tag is skipped, never an error.
 */
export function localeFrom(acceptLanguage: string | undefined): string {
  const tags = (acceptLanguage ?? "")
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(";");
      const q = Number(params.find((p) => p.trim().startsWith("q="))?.trim().slice(2) ?? 1);
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((t) => t.tag && t.tag !== "*" && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      // Language, script and region only: extensions (-u-…) would multiply the formatters kept.
      if (supported) return new Intl.Locale(supported).baseName;
    } catch {
      // Not a language tag (RangeError): try the next.
    }
  }
  return DEFAULT_LOCALE;
}

const current = new AsyncLocalStorage<Formats>();
const formats = () => current.getStore() ?? formatsFor(DEFAULT_LOCALE, "UTC");

/**
 * The reader's language alone ("de" for de-AT), for text formatted outside this file (the reasons
 * in words, models/reason-words.ts): a language keeps the formatters kept there few.
 */
export const readerLanguage = () => new Intl.Locale(formats().locale).language;

/** Formats everything rendered for this request in its reader's locale and the service's time zone. */
export const readerFormats: MiddlewareHandler<WebBindings> = (c, next) =>
  current.run(formatsFor(localeFrom(c.req.header("accept-language")), c.get("deps").config.WEB_TIME_ZONE), next);

export const fmtDateTime = (d: Date | string | null | undefined) => (d == null ? "—" : formats().dateTime.format(new Date(d)));
export const fmtDate = (d: Date | string | null | undefined) => (d == null ? "—" : formats().dateOnly.format(new Date(d)));
export const fmtInt = (n: number | null | undefined) => (n == null ? "—" : formats().integer.format(n));
export const fmtNumber = (n: number | null | undefined) => (n == null ? "—" : formats().decimal.format(n));
/** Scores and rates: a percentage with one decimal (0.1234 → 12.3%). */
export const fmtPercent = (p: number | null | undefined) => (p == null ? "—" : formats().percent.format(p));

/** An attribute value of a file as a cell. */
export function fmtValue(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "number") return formats().decimal.format(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export const ROLE_NAMES = { inspector: "Inspector", data_officer: "Data officer", auditor: "Auditor", admin: "Administrator" } as const;
