/**
 * Allocation-free date arithmetic for the encoder: ISO strings are parsed with Date.parse (a
 * number, no Date object) and calendar fields derived from epoch days, because scoring encodes
 * a million rows and a Date per cell would dominate the time.
 */

/** Milliseconds in a UTC day (epoch time has no leap seconds). */
export const MS_PER_DAY = 86_400_000;
/** Mean Gregorian year, so that fractional years are stable across leap years. */
const MS_PER_YEAR = 365.2425 * MS_PER_DAY;

/** Epoch milliseconds of an ISO 8601 string (date-only strings are UTC), or NaN. */
export const parseDate = (value: unknown): number => {
  if (typeof value !== "string" || value.length < 4) return Number.NaN;
  return Date.parse(value);
};

/** Fractional year, e.g. 2024.5 for early July 2024. */
export const fractionalYear = (ms: number): number => 1970 + ms / MS_PER_YEAR;

/** Month 1..12 of epoch milliseconds (UTC), by Howard Hinnant's days-to-civil algorithm. */
export const monthOf = (ms: number): number => {
  const z = Math.floor(ms / MS_PER_DAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return mp < 10 ? mp + 3 : mp - 9;
};

/** Weekday 0..6 (Sunday = 0) of epoch milliseconds (UTC); 1970-01-01 was a Thursday. */
export const weekdayOf = (ms: number): number => {
  const days = Math.floor(ms / MS_PER_DAY);
  return (((days + 4) % 7) + 7) % 7;
};
