/**
 * Cell parsers shared by the CSV and JSON importers: each takes a raw value and returns either its
 * JSON text (as stored in files.attributes, jsonb) or an error message. Pure and allocation-light,
 * because an import runs them some 25 million times for a million files.
 */

/** Cell text longer than this is refused (ids, units, categories, inspectors). */
export const MAX_TEXT_LENGTH = 1000;

/** A unit id: the same rule as the units of API keys (services/api/routes/api-keys), lower case. */
export const UNIT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** File ids: 1 to 200 characters, no control characters, no leading or trailing blank. */
export const FILE_ID_PATTERN = /^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,198}[^\s\x00-\x1f\x7f])?$/;

/** A number exactly as JSON writes it: stored as is, so jsonb keeps the digits that were sent. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Also accepted, then normalized: a leading +, leading zeros, ".5" and "5.". */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date-time must carry its offset: Date.parse reads one without an offset in local time. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export type Parsed = { ok: true; json: string } | { ok: false; message: string };

const fail = (message: string): Parsed => ({ ok: false, message });

/** True for the cells that mean "missing": empty or only blanks. */
export const isBlank = (cell: string): boolean => cell.length === 0 || cell.trim().length === 0;

/** A finite decimal number (no hex, no Infinity, no blanks inside), as JSON text. */
export function parseNumberCell(cell: string): Parsed {
  if (JSON_NUMBER.test(cell)) {
    return Number.isFinite(Number(cell)) ? { ok: true, json: cell } : fail(`"${clip(cell)}" is too large for a number`);
  }
  if (DECIMAL.test(cell)) {
    const n = Number(cell);
    return Number.isFinite(n) ? { ok: true, json: String(n) } : fail(`"${clip(cell)}" is too large for a number`);
  }
  return fail(`"${clip(cell)}" is not a number`);
}

/**
 * The JSON text of a number cell already written as JSON writes it, or null to take parseNumberCell
 * (its errors and normalization). Allocates nothing: an import calls the cell checks ~25 million
 * times, and their result objects were a large part of its garbage. Without an exponent, 300
 * digits cannot overflow a double.
 */
export function plainNumberJson(cell: string): string | null {
  return cell.length <= 300 && JSON_NUMBER.test(cell) && !EXPONENT.test(cell) ? cell : null;
}

const EXPONENT = /[eE]/;

/** The JSON string of a text cell that needs no escaping and passes textProblem, or null (take parseTextCell). */
export function plainTextJson(cell: string): string | null {
  return cell.length <= MAX_TEXT_LENGTH && !JSON_SPECIAL.test(cell) ? `"${cell}"` : null;
}

/** Characters JSON.stringify escapes (quote, backslash, controls including NUL, lone surrogates). */
const JSON_SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

/** true/false, 1/0 or yes/no in any case (the same words models/coerce.ts reads). */
export function parseBooleanCell(cell: string): Parsed {
  if (cell === "true" || cell === "false") return { ok: true, json: cell };
  const s = cell.trim().toLowerCase();
  if (s === "true" || s === "1" || s === "yes") return { ok: true, json: "true" };
  if (s === "false" || s === "0" || s === "no") return { ok: true, json: "false" };
  return fail(`"${clip(cell)}" is not a boolean (true, false, 1, 0, yes, no)`);
}

/** An ISO 8601 calendar date (yyyy-mm-dd) or a date-time with an offset, kept as written. */
export function parseDateCell(cell: string): Parsed {
  const m = DATE.exec(cell) ?? DATE_TIME.exec(cell);
  if (!m || !validDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    return fail(`"${clip(cell)}" is not an ISO 8601 date (yyyy-mm-dd, or a date-time with Z or an offset)`);
  }
  return { ok: true, json: `"${cell}"` };
}

/** True when `cell` is a real calendar date written yyyy-mm-dd. */
export function isIsoDate(cell: string): boolean {
  const m = DATE.exec(cell);
  return m !== null && validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Any text without NUL (jsonb and text columns refuse it), as a JSON string. */
export function parseTextCell(cell: string): Parsed {
  const problem = textProblem(cell);
  return problem ? fail(problem) : { ok: true, json: JSON.stringify(cell) };
}

/** Why `cell` cannot be stored as text, or null. */
export function textProblem(cell: string): string | null {
  if (cell.length > MAX_TEXT_LENGTH) return `longer than ${MAX_TEXT_LENGTH} characters`;
  if (cell.includes("\u0000")) return "contains a NUL character";
  return null;
}

export function fileIdProblem(id: string): string | null {
  if (id.length === 0) return "the file id is empty";
  return FILE_ID_PATTERN.test(id) ? null : `"${clip(id)}" is not a valid file id (1 to 200 characters, no control characters or surrounding blanks)`;
}

export function unitProblem(unit: string): string | null {
  if (unit.length === 0) return "the unit is empty";
  return UNIT_PATTERN.test(unit) ? null : `"${clip(unit)}" is not a unit id (lower case letters, digits, - and _)`;
}

/** Today's date in the first time zone to reach it (UTC+14), so that no legitimate date is "future". */
export function latestToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

/** Values are quoted back in messages, cut short so that an error list stays small. */
export const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);
