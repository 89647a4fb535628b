import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { reasonsText } from "../api/reasons.js";
import type { Db } from "../db/client.js";
import type { ControlListItemView, ControlListRow } from "../db/queries/control-lists.js";
import { getCurrentSchema } from "../db/queries/feature-schemas.js";
import type { ItemExtras } from "./explain-items.js";
import type { ItemView } from "./inspector-view.js";

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

/** Attribute columns a CSV export adds when none are asked for. */
const DEFAULT_CSV_ATTRIBUTES = 8;

/**
 * A list's CSV export: every row says which list, unit, model and run it comes from (a sheet
 * copied around keeps its provenance), then the item as `view` may see it (scores rounded to 4
 * decimals, reasons as text), then the chosen file attributes.
 */
export function exportTable(
  list: ControlListRow,
  items: ControlListItemView[],
  view: ItemView,
  attributes: string[],
  values: Map<string, Record<string, unknown>>,
  extras: (item: ControlListItemView) => ItemExtras,
) {
  const provenance = [list.id, list.unit, list.modelId, list.runId, list.createdAt.toISOString()];
  const full = view === "full";
  const header = [
    ...["list_id", "unit", "model_id", "run_id", "list_created_at", "position", "file_id"],
    ...(full ? ["score"] : []),
    ...(full ? ["unit_rank"] : []),
    ...["status", "assigned_to", "reasons"],
    ...(full ? ["selected_by", "selection_probability"] : []),
    ...attributes,
  ];
  const rows = items.map((i) => [
    ...provenance,
    i.position,
    i.fileId,
    ...(full ? [i.score === null ? null : Math.round(i.score * 1e4) / 1e4, rankText(extras(i).unitRank)] : []),
    i.status,
    i.assignedTo ?? "",
    reasonsCell(i, view, extras(i)),
    ...(full ? [i.selectedBy, i.selectionProbability] : []),
    ...attributes.map((a) => csvValue(values.get(i.fileId)?.[a])),
  ]);
  return { header, rows };
}

/** "3 of 50000", or empty when the run's scores are gone. */
const rankText = (rank: ItemExtras["unitRank"]) => (rank ? `${rank.rank} of ${rank.of}` : "");

/** The reasons in words, separated by "; "; the stored form when the model's words are unavailable. */
const reasonsCell = (item: ControlListItemView, view: ItemView, extras: ItemExtras) =>
  extras.explanation?.length ? extras.explanation.map((r) => r.text).join("; ") : reasonsText(item.reasons, view);

const csvValue = (value: unknown): string | number | null =>
  value === undefined || value === null ? null : typeof value === "number" || typeof value === "string" ? value : JSON.stringify(value);

/** The schema's first features and segments: the columns an export shows when none are asked for. */
export async function defaultCsvAttributes(db: Db): Promise<string[]> {
  const schema = await getCurrentSchema(db);
  return (schema?.definition.attributes ?? [])
    .filter((a) => a.role === "feature" || a.role === "segment")
    .slice(0, DEFAULT_CSV_ATTRIBUTES)
    .map((a) => a.name);
}
