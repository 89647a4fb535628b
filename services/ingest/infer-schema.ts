import type { Readable } from "node:stream";
import { attributeNameFor } from "../../models/attribute-names.js";
import {
  type AttributeSpec,
  type AttributeType,
  FeatureSchemaDefinition,
} from "../../models/feature-schema.js";
import { invalid } from "../errors.js";
import { CsvReader, CsvSyntaxError } from "./csv-reader.js";
import { csvFieldErrors } from "./errors.js";
import type { RowError } from "./validate-row.js";
import { isBlank, parseBooleanCell, parseDateCell, parseNumberCell } from "./values.js";

/** Records of a sample that inference reads; the rest of the body is ignored. */
export const INFER_SAMPLE_ROWS = 10_000;

/** Distinct values counted per column before the count stops (an id-like column is spotted well before). */
const DISTINCT_CAP = 1_000;

export interface ColumnStats {
  /** The attribute name proposed for the column. */
  name: string;
  /** The column's header as the export writes it. */
  header: string;
  type: AttributeType;
  rows: number;
  missing: number;
  /** Distinct non-missing values, counted up to DISTINCT_CAP. */
  distinct: number;
  examples: string[];
  /** Why the proposal is what it is, for the reviewer. */
  note?: string;
}

export interface SchemaProposal {
  schema: FeatureSchemaDefinition;
  columns: ColumnStats[];
  sampleRows: number;
}

/**
 * Proposes a feature schema from a CSV sample (header plus rows), to be reviewed and PUT. A column is
 * boolean if every value reads as one (true/false/yes/no, not 0/1, which are usually counts),
 * numeric if every value parses as a number, date if every value is ISO 8601, else categorical.
 * Missing values: "allow" if the sample has any, else "reject". A categorical column whose values
 * are nearly all different (an identifier or free text) is proposed as "ignore". `id` and `unit` are
 * the file's keys, not attributes.
 */
export function inferSchema(header: string[], rows: string[][]): { ok: true; proposal: SchemaProposal } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const headers = header.map((h) => h.trim());
  const names = headers.map(attributeNameFor);
  const firstWith = new Map<string, string>();
  names.forEach((name, i) => {
    const other = firstWith.get(name);
    if (other !== undefined) {
      errors.push({
        line: 1,
        column: headers[i],
        message: `columns "${other}" and "${headers[i]}" would both be named "${name}": rename one of them in the export`,
      });
    }
    firstWith.set(name, headers[i]);
  });
  for (const key of ["id", "unit"]) {
    if (!firstWith.has(key)) errors.push({ line: 1, column: key, message: `column "${key}" is required in a files CSV` });
  }
  if (names.length <= 2) errors.push({ line: 1, message: "the sample has no attribute columns" });
  if (errors.length > 0) return { ok: false, errors };

  const columns: ColumnStats[] = [];
  const attributes: AttributeSpec[] = [];
  names.forEach((name, i) => {
    if (name === "id" || name === "unit") return;
    const values: string[] = [];
    let missing = 0;
    for (const row of rows) {
      const cell = row[i] ?? "";
      if (isBlank(cell)) missing += 1;
      else values.push(cell);
    }
    const distinctSet = new Set<string>();
    for (const v of values) {
      if (distinctSet.size >= DISTINCT_CAP) break;
      distinctSet.add(v);
    }
    const type = guessType(values);
    const idLike = type === "categorical" && values.length >= 20 && distinctSet.size >= 0.9 * Math.min(values.length, DISTINCT_CAP);
    const stats: ColumnStats = {
      name,
      header: headers[i],
      type,
      rows: rows.length,
      missing,
      distinct: distinctSet.size,
      examples: [...distinctSet].slice(0, 5),
      ...(values.length === 0
        ? { note: "no value in the sample: the type is a guess" }
        : idLike
          ? { note: "nearly every value differs (an identifier or free text?): proposed as ignore" }
          : {}),
    };
    columns.push(stats);
    attributes.push({
      name,
      ...(headers[i] !== name ? { header: headers[i] } : {}),
      type,
      role: idLike ? "ignore" : "feature",
      missing: missing > 0 || values.length === 0 ? "allow" : "reject",
    });
  });
  const schema = FeatureSchemaDefinition.parse({ attributes });
  return { ok: true, proposal: { schema, columns, sampleRows: rows.length } };
}

function guessType(values: string[]): AttributeType {
  if (values.length === 0) return "categorical";
  const all = (parse: (cell: string) => { ok: boolean }) => values.every((v) => parse(v).ok);
  if (values.every((v) => /^(true|false|yes|no)$/i.test(v.trim()))) return "boolean";
  if (all(parseNumberCell)) return "numeric";
  if (all(parseDateCell)) return "date";
  if (all(parseBooleanCell)) return "boolean";
  return "categorical";
}

/** Reads the header and up to `limit` records of a CSV stream, then stops reading. */
export async function readCsvSample(input: Readable, limit = INFER_SAMPLE_ROWS): Promise<{ header: string[] | null; rows: string[][] }> {
  let header: string[] | null = null;
  const rows: string[][] = [];
  const errors: RowError[] = [];
  const reader = new CsvReader({
    record(fields) {
      if (header === null) header = fields;
      else if (rows.length < limit) rows.push(fields);
    },
    error(line, message) {
      errors.push({ line, message });
    },
  });
  const refuse = () => invalid("the CSV sample is malformed: no schema is proposed from it", csvFieldErrors(errors));
  try {
    for await (const chunk of input) {
      reader.push(chunk as Buffer);
      if (errors.length > 0) throw refuse();
      if (rows.length >= limit) return { header, rows };
    }
    reader.end();
    if (errors.length > 0) throw refuse();
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    errors.push({ line: error.line, message: error.message.replace(/^line \d+: /, "") });
    throw refuse();
  } finally {
    input.destroy();
  }
  return { header, rows };
}
