import { Readable } from "node:stream";
import { stringify } from "csv-stringify";

/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): a cell starting with = + - @, a tab or a
 * carriage return may be run as a formula when the file is opened. A leading single quote makes
 * spreadsheets show it as text; CSV parsers return the quote, so the raw value is the cell minus it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, neutralized against formula injection. */
export const escapeCsvCell = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

/**
 * The rows as a streamed CSV body (header first). Every cell passes escapeCsvCell, including
 * numbers: csv-stringify's `cast` turns them into strings first, so a negative amount is escaped too.
 */
export function csvStream(
  header: string[],
  rows: Iterable<(string | number | null)[]>,
  opts: { bom?: boolean } = {},
): ReadableStream<Uint8Array> {
  const stringifier = stringify({
    header: true,
    columns: header,
    bom: opts.bom ?? false,
    // CRLF, as RFC 4180 and spreadsheet programs expect.
    record_delimiter: "windows",
    cast: { number: (n) => escapeCsvCell(String(n)) },
  });
  const source = Readable.from(
    (function* () {
      for (const row of rows) yield row.map((cell) => (typeof cell === "string" ? escapeCsvCell(cell) : cell));
    })(),
    { objectMode: true },
  );
  return Readable.toWeb(source.pipe(stringifier)) as ReadableStream<Uint8Array>;
}
