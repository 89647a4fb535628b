import type { OutcomeRow } from "../db/queries/outcomes.js";
import { SELECTED_BY } from "../db/schema/outcomes.js";
import type { RowError } from "./validate-row.js";
import { fileIdProblem, isBlank, isIsoDate, parseNumberCell, textProblem } from "./values.js";

/**
 * Checks outcome rows (past controls), for the CSV import and the JSON endpoint. Whether the file
 * exists is checked later, against the database, once for all the rows of a write.
 */

export const OUTCOME_REQUIRED_COLUMNS = ["file_id", "controlled_at", "outcome"] as const;
export const OUTCOME_OPTIONAL_COLUMNS = ["amount", "selected_by", "selection_probability", "inspector", "notes"] as const;
type OutcomeColumn = (typeof OUTCOME_REQUIRED_COLUMNS)[number] | (typeof OUTCOME_OPTIONAL_COLUMNS)[number];

type SelectedBy = (typeof SELECTED_BY)[number];
const SELECTED = new Set<string>(SELECTED_BY);

/** The fields of one outcome, as text (CSV) or as the JSON endpoint's typed values. */
export interface OutcomeInput {
  fileId: unknown;
  controlledAt: unknown;
  outcome: unknown;
  amount?: unknown;
  selectedBy?: unknown;
  selectionProbability?: unknown;
  inspector?: unknown;
  notes?: unknown;
}

export interface OutcomeCsvValidator {
  check(fields: string[], line: number, errors: RowError[]): OutcomeRow | null;
}

/** Compiles the checks of an outcomes CSV header (required columns present, no unknown or repeated one). */
export function compileOutcomeCsv(
  header: string[],
  today: string,
): { ok: true; validator: OutcomeCsvValidator } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const allowed = new Set<string>([...OUTCOME_REQUIRED_COLUMNS, ...OUTCOME_OPTIONAL_COLUMNS]);
  const position = new Map<string, number>();
  header.forEach((raw, i) => {
    const name = raw.trim();
    if (position.has(name)) errors.push({ line: 1, column: name, message: `column "${name}" appears twice` });
    else if (!allowed.has(name)) {
      errors.push({ line: 1, column: name, message: `unknown column "${name}"; expected ${[...allowed].join(", ")}` });
    }
    position.set(name, i);
  });
  for (const name of OUTCOME_REQUIRED_COLUMNS) {
    if (!position.has(name)) errors.push({ line: 1, column: name, message: `required column "${name}" is missing` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const at = (name: OutcomeColumn) => position.get(name) ?? -1;
  const columns = {
    fileId: at("file_id"),
    controlledAt: at("controlled_at"),
    outcome: at("outcome"),
    amount: at("amount"),
    selectedBy: at("selected_by"),
    selectionProbability: at("selection_probability"),
    inspector: at("inspector"),
    notes: at("notes"),
  };
  const width = header.length;
  const cell = (fields: string[], i: number): string | undefined => (i < 0 || isBlank(fields[i]) ? undefined : fields[i]);
  return {
    ok: true,
    validator: {
      check(fields, line, out) {
        if (fields.length !== width) {
          out.push({ line, message: `expected ${width} fields as in the header, found ${fields.length}` });
          return null;
        }
        return checkOutcome(
          {
            fileId: fields[columns.fileId],
            controlledAt: fields[columns.controlledAt],
            outcome: fields[columns.outcome],
            amount: cell(fields, columns.amount),
            selectedBy: cell(fields, columns.selectedBy),
            selectionProbability: cell(fields, columns.selectionProbability),
            inspector: cell(fields, columns.inspector),
            notes: cell(fields, columns.notes),
          },
          line,
          today,
          out,
          CSV_NAMES,
        );
      },
    },
  };
}

const CSV_NAMES: Record<keyof OutcomeInput, string> = {
  fileId: "file_id",
  controlledAt: "controlled_at",
  outcome: "outcome",
  amount: "amount",
  selectedBy: "selected_by",
  selectionProbability: "selection_probability",
  inspector: "inspector",
  notes: "notes",
};

const JSON_NAMES: Record<keyof OutcomeInput, string> = {
  fileId: "fileId",
  controlledAt: "controlledAt",
  outcome: "outcome",
  amount: "amount",
  selectedBy: "selectedBy",
  selectionProbability: "selectionProbability",
  inspector: "inspector",
  notes: "notes",
};

/** Controls older than this are refused: such a date is a typo or a placeholder, never a control. */
export const EARLIEST_CONTROL_DATE = "1970-01-01";
export const AMOUNT_RULE = "amount must be a finite number >= 0";

/**
 * The rule for a control's date, whichever door the outcome comes through (CSV, JSON batch, a list
 * item's outcome form): a real calendar date, not before EARLIEST_CONTROL_DATE, not after today.
 */
export function controlDateProblem(date: string, today: string): string | null {
  if (!isIsoDate(date)) return `"${date}" is not a date (yyyy-mm-dd)`;
  if (date < EARLIEST_CONTROL_DATE) return `${date} is before ${EARLIEST_CONTROL_DATE}`;
  if (date > today) return `${date} is in the future`;
  return null;
}

/** The rule for an amount found, whichever door the outcome comes through. */
export const amountProblem = (amount: number): string | null => (Number.isFinite(amount) && amount >= 0 ? null : AMOUNT_RULE);

/** Checks one JSON outcome; errors use `line` = the 0-based index in the batch. */
export const checkOutcomeJson = (input: OutcomeInput, index: number, today: string, out: RowError[]) =>
  checkOutcome(input, index, today, out, JSON_NAMES);

/**
 * The rules of an outcome, whatever its source: controlled_at is a calendar date not after today,
 * outcome is 0 or 1, amount a finite number >= 0, selected_by one of SELECTED_BY ("unknown" when
 * missing), selection_probability in (0, 1]. Numbers may come as text (CSV) or numbers (JSON).
 */
function checkOutcome(
  input: OutcomeInput,
  line: number,
  today: string,
  out: RowError[],
  names: Record<keyof OutcomeInput, string>,
): OutcomeRow | null {
  const before = out.length;
  const err = (key: keyof OutcomeInput, message: string) => out.push({ line, column: names[key], message });

  const fileId = typeof input.fileId === "string" ? input.fileId : "";
  const idProblem = fileIdProblem(fileId);
  if (idProblem) err("fileId", idProblem);

  const controlledAt = typeof input.controlledAt === "string" ? input.controlledAt : "";
  const dateProblem = controlDateProblem(controlledAt, today);
  if (dateProblem) err("controlledAt", dateProblem);

  const outcome = input.outcome === 0 || input.outcome === "0" ? 0 : input.outcome === 1 || input.outcome === "1" ? 1 : null;
  if (outcome === null) err("outcome", `outcome must be 0 (nothing found) or 1 (irregularity found), got ${show(input.outcome)}`);

  const amount = optionalNumber(input.amount);
  if (amount === false || (typeof amount === "number" && amountProblem(amount))) err("amount", `${AMOUNT_RULE}, got ${show(input.amount)}`);

  const probability = optionalNumber(input.selectionProbability);
  if (probability === false || (typeof probability === "number" && !(probability > 0 && probability <= 1))) {
    err("selectionProbability", `selection_probability must be in (0, 1], got ${show(input.selectionProbability)}`);
  }

  let selectedBy: SelectedBy = "unknown";
  if (input.selectedBy !== undefined && input.selectedBy !== null) {
    if (typeof input.selectedBy === "string" && SELECTED.has(input.selectedBy)) selectedBy = input.selectedBy as SelectedBy;
    else err("selectedBy", `selected_by must be one of ${SELECTED_BY.join(", ")}, got ${show(input.selectedBy)}`);
  }

  const inspector = optionalText(input.inspector);
  if (inspector === false) err("inspector", "inspector must be a text without NUL, at most 1000 characters");
  const notes = optionalText(input.notes);
  if (notes === false) err("notes", "notes must be a text without NUL, at most 1000 characters");

  if (out.length > before) return null;
  return {
    line,
    fileId,
    controlledAt,
    outcome: outcome as 0 | 1,
    amount: amount as number | null,
    selectedBy,
    selectionProbability: probability as number | null,
    inspector: inspector as string | null,
    notes: notes as string | null,
  };
}

/** null when absent, the number, or false when it is not a finite number. */
function optionalNumber(value: unknown): number | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : false;
  if (typeof value === "string") {
    if (isBlank(value)) return null;
    const parsed = parseNumberCell(value);
    return parsed.ok ? Number(parsed.json) : false;
  }
  return false;
}

function optionalText(value: unknown): string | null | false {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return false;
  if (isBlank(value)) return null;
  return textProblem(value) ? false : value;
}

const show = (value: unknown): string => {
  const s = typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
