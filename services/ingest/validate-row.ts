import type { AttributeSpec, AttributeValue, FeatureSchemaDefinition } from "../../models/feature-schema.js";
import { headerResolver } from "../../models/attribute-names.js";
import { AttributesArena, type FileRow } from "../db/queries/file-writes.js";
import {
  fileIdProblem,
  isBlank,
  type Parsed,
  parseBooleanCell,
  parseDateCell,
  parseNumberCell,
  parseTextCell,
  plainNumberJson,
  plainTextJson,
  unitProblem,
} from "./values.js";

/**
 * Checks file rows against the feature schema, for the CSV import (cells are text) and the JSON
 * upsert (values are typed). A valid row becomes a FileRow whose attributes are JSON text holding
 * every attribute of the schema, null when missing, so that stored rows all have the same keys
 * whatever columns the upload had; keys are written in jsonb's own order (inJsonbKeyOrder).
 */

/** One reason a row (or the header, line 1) was refused; `column` names the CSV column or JSON key. */
export interface RowError {
  line: number;
  column?: string;
  message: string;
}

const CELL_PARSERS: Record<AttributeSpec["type"], (cell: string) => Parsed> = {
  numeric: parseNumberCell,
  categorical: parseTextCell,
  boolean: parseBooleanCell,
  date: parseDateCell,
};

/** Allocation-free JSON of the usual cells (null: use the full parser above, for errors and normalization). */
const PLAIN_CELLS: Record<AttributeSpec["type"], (cell: string) => string | null> = {
  numeric: plainNumberJson,
  categorical: plainTextJson,
  boolean: (cell) => (cell === "true" || cell === "false" ? cell : null),
  date: () => null,
};

export const FILE_KEY_COLUMNS = ["id", "unit"] as const;

export interface FileCsvValidator {
  /** Checks one record; returns the row, or null after pushing its errors. */
  check(fields: string[], line: number, errors: RowError[]): FileRow | null;
}

/**
 * Compiles the checks of a CSV header: `id`, `unit` and every attribute declared `missing: "reject"`
 * must be there; an attribute that may be missing may also be left out; an unknown or repeated
 * column is refused (a misspelt column would otherwise be dropped without a word).
 */
export function compileFileCsv(
  schema: FeatureSchemaDefinition,
  header: string[],
): { ok: true; validator: FileCsvValidator } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const known = new Map(schema.attributes.map((a) => [a.name, a]));
  const position = new Map<string, number>();
  const resolve = headerResolver(schema);
  header.forEach((raw, i) => {
    const name = resolve(raw);
    if (position.has(name)) errors.push({ line: 1, column: name, message: `column "${name}" appears twice` });
    else if (!known.has(name) && name !== "id" && name !== "unit") {
      errors.push({ line: 1, column: name, message: `unknown column "${name}": not id, unit nor an attribute of the schema` });
    }
    position.set(name, i);
  });
  for (const name of FILE_KEY_COLUMNS) {
    if (!position.has(name)) errors.push({ line: 1, column: name, message: `required column "${name}" is missing` });
  }
  for (const a of schema.attributes) {
    if (a.missing === "reject" && !position.has(a.name)) {
      errors.push({ line: 1, column: a.name, message: `column "${a.name}" is required: the schema rejects missing values` });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const idAt = position.get("id") as number;
  const unitAt = position.get("unit") as number;
  const width = header.length;
  // Cells are checked in schema order (so are a row's errors); their JSON goes into `parts` (key,
  // value, key, value, …, "}") in jsonb's key order, at `slot`.
  const jsonOrder = inJsonbKeyOrder(schema.attributes).map((a) => a.name);
  const attributes = schema.attributes.map((a) => ({
    name: a.name,
    at: position.get(a.name) ?? -1,
    reject: a.missing === "reject",
    parse: CELL_PARSERS[a.type],
    plain: PLAIN_CELLS[a.type],
    slot: 2 * jsonOrder.indexOf(a.name) + 1,
  }));
  // Attribute names match /^[a-z][a-z0-9_]*$/, so they need no JSON escaping.
  const parts = [...jsonOrder.flatMap((name, i) => [`${i === 0 ? "{" : ","}"${name}":`, "null"]), jsonOrder.length === 0 ? "{}" : "}"];
  const arena = new AttributesArena();
  const check = (fields: string[], line: number, out: RowError[]): FileRow | null => {
    if (fields.length !== width) {
      out.push({ line, message: `expected ${width} fields as in the header, found ${fields.length}` });
      return null;
    }
    const before = out.length;
    const id = fields[idAt];
    const unit = fields[unitAt];
    const idProblem = fileIdProblem(id);
    if (idProblem) out.push({ line, column: "id", message: idProblem });
    const unitError = unitProblem(unit);
    if (unitError) out.push({ line, column: "unit", message: unitError });
    // join() gives one flat string; building it with += would leave a rope that COPY has to flatten.
    // `parts` (key, value, key, value, …, "}") is reused from row to row: only a valid row is joined.
    for (let k = 0; k < attributes.length; k += 1) {
      const a = attributes[k];
      const cell = a.at < 0 ? "" : fields[a.at];
      if (isBlank(cell)) {
        if (a.reject) out.push({ line, column: a.name, message: "a value is required (the schema rejects missing values)" });
        parts[a.slot] = "null";
        continue;
      }
      const plain = a.plain(cell);
      if (plain !== null) {
        parts[a.slot] = plain;
        continue;
      }
      const parsed = a.parse(cell);
      if (parsed.ok) parts[a.slot] = parsed.json;
      else out.push({ line, column: a.name, message: parsed.message });
    }
    if (out.length > before) return null;
    const json = parts.join("");
    return arena.row(line, id, unit, json);
  };
  return { ok: true, validator: { check } };
}

/**
 * The attributes in the order jsonb keeps object keys (shorter first, then by bytes). Postgres sorts
 * every object's keys on input and checks first whether they already are sorted: JSON written in
 * this order skips the sort, which was a fifth of the time of COPYing 1,000,000 files (perf: qsort).
 * The stored jsonb is the same whatever the order of the text.
 */
export function inJsonbKeyOrder<A extends { name: string }>(attributes: readonly A[]): A[] {
  const bytes = (a: A) => Buffer.from(a.name, "utf8");
  return [...attributes].sort((x, y) => bytes(x).length - bytes(y).length || Buffer.compare(bytes(x), bytes(y)));
}

/** A file as the JSON upsert receives it (already shaped by zod). */
export interface FileInput {
  id: string;
  unit: string;
  attributes: Record<string, AttributeValue | undefined>;
}

/**
 * Checks one JSON file against the schema. JSON values must have their type: numbers are numbers,
 * booleans are booleans, categories and dates are strings; null or an absent key is missing.
 * Errors use `line` = the 0-based index in the batch, `column` = the attribute.
 */
export function checkFileJson(schema: FeatureSchemaDefinition, input: FileInput, index: number, out: RowError[]): FileRow | null {
  const before = out.length;
  const idProblem = fileIdProblem(input.id);
  if (idProblem) out.push({ line: index, column: "id", message: idProblem });
  const unitError = unitProblem(input.unit);
  if (unitError) out.push({ line: index, column: "unit", message: unitError });
  const names = new Set(schema.attributes.map((a) => a.name));
  for (const key of Object.keys(input.attributes)) {
    if (!names.has(key)) out.push({ line: index, column: key, message: `unknown attribute "${key}"` });
  }
  const valueJson = new Map<string, string>();
  for (const a of schema.attributes) {
    const value = input.attributes[a.name];
    if (value === null || value === undefined || (typeof value === "string" && isBlank(value))) {
      if (a.missing === "reject") out.push({ line: index, column: a.name, message: "a value is required (the schema rejects missing values)" });
      valueJson.set(a.name, "null");
      continue;
    }
    const parsed = parseJsonValue(a, value);
    if (parsed.ok) valueJson.set(a.name, parsed.json);
    else out.push({ line: index, column: a.name, message: parsed.message });
  }
  if (out.length > before) return null;
  const parts = inJsonbKeyOrder(schema.attributes).map((a) => `"${a.name}":${valueJson.get(a.name)}`);
  return { line: index, id: input.id, unit: input.unit, attributesJson: `{${parts.join(",")}}` };
}

function parseJsonValue(a: AttributeSpec, value: AttributeValue): Parsed {
  switch (a.type) {
    case "numeric":
      return typeof value === "number" && Number.isFinite(value)
        ? { ok: true, json: JSON.stringify(value) }
        : { ok: false, message: "expected a number" };
    case "boolean":
      return typeof value === "boolean" ? { ok: true, json: String(value) } : { ok: false, message: "expected true or false" };
    case "categorical":
      return typeof value === "string" ? parseTextCell(value) : { ok: false, message: "expected a string (a category)" };
    case "date":
      return typeof value === "string" ? parseDateCell(value) : { ok: false, message: "expected an ISO 8601 date string" };
  }
}
