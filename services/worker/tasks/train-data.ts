import {
  type Attributes,
  type AttributeColumns,
  type AttributeValue,
  countPositives,
  type Split,
  stratifiedSplit,
  temporalSplit,
  TrainingDataError,
} from "../../../models/index.js";

/**
 * The training rows as they cross into a CPU thread: one array per feature attribute (numeric as
 * Float64Array with NaN for missing, others as plain arrays), plus per-row typed arrays. All
 * structured-cloneable; the typed arrays' buffers are transferred.
 */
export interface TrainingColumns {
  nRows: number;
  columns: Record<string, Float64Array | AttributeValue[]>;
  /** Outcome of the latest control before the cutoff (1 = irregularity found). */
  labels: Uint8Array;
  /** Date of that control, epoch ms (UTC midnight). */
  controlledAt: Float64Array;
  /** Recorded selection probability of that control, NaN when none. */
  selectionProbability: Float64Array;
  /** 1 when that control was selected by exploration (random), the unbiased sample. */
  exploration: Uint8Array;
  /** Per attribute with role `segment`, each row's value as text (null = missing): fairness only, never a model input. */
  segments: Record<string, (string | null)[]>;
}

/** How to split: temporal (train before `validationFrom`, validate from it), random (stratified) or auto. */
export interface SplitRequest {
  kind: "auto" | "temporal" | "random";
  /** ISO date; for temporal, the default is the date at which the latest VALIDATION_FRACTION of controls start. */
  validationFrom?: string;
  validationFraction: number;
}

/** What was actually done, stored with the model. */
export interface SplitReport {
  kind: "temporal" | "random";
  validationFrom: string | null;
  validationFraction: number;
  /** Why auto fell back to random, if it did. */
  note?: string;
}

/** Fewest rows and rows per class each part needs for metrics and early stopping to mean something. */
const MIN_PART_ROWS = 20;
const MIN_PART_CLASS = 2;

const partProblem = (labels: Uint8Array, split: Split): string | null => {
  for (const [name, rows] of [["training", split.train], ["validation", split.validation]] as const) {
    let pos = 0;
    for (const r of rows) pos += labels[r];
    if (rows.length < MIN_PART_ROWS || pos < MIN_PART_CLASS || rows.length - pos < MIN_PART_CLASS) {
      return `the ${name} part has ${rows.length} rows with ${pos} positives (needs ≥ ${MIN_PART_ROWS} rows and ≥ ${MIN_PART_CLASS} of each outcome)`;
    }
  }
  return null;
};

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The default temporal boundary: the control date from which the latest `fraction` of rows lie. */
const defaultValidationFrom = (times: Float64Array, fraction: number): number => {
  const sorted = Float64Array.from(times).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((1 - fraction) * sorted.length))];
};

/**
 * Splits the rows. Temporal is the default (auto) because a deployed model scores the future from
 * the past; auto falls back to a seeded stratified split when the dates do not leave both parts
 * usable (e.g. all controls on one day). An explicit split that cannot work is a TrainingDataError.
 */
export const chooseSplit = (data: TrainingColumns, request: SplitRequest, seed: number): { split: Split; report: SplitReport } => {
  const { labels, controlledAt } = data;
  if (request.kind !== "random") {
    const from = request.validationFrom
      ? Date.parse(`${request.validationFrom}T00:00:00Z`)
      : defaultValidationFrom(controlledAt, request.validationFraction);
    const split = temporalSplit(controlledAt, from);
    const problem = partProblem(labels, split);
    const report: SplitReport = { kind: "temporal", validationFrom: isoDay(from), validationFraction: split.validation.length / data.nRows };
    if (!problem) return { split, report };
    if (request.kind === "temporal") throw new TrainingDataError(`temporal split at ${isoDay(from)}: ${problem}`);
    const random = chooseSplit(data, { ...request, kind: "random" }, seed);
    return { ...random, report: { ...random.report, note: `temporal split at ${isoDay(from)} unusable: ${problem}` } };
  }
  if (countPositives(labels) < 2 * MIN_PART_CLASS) throw new TrainingDataError(`only ${countPositives(labels)} positive rows`);
  const split = stratifiedSplit(labels, request.validationFraction, seed);
  const problem = partProblem(labels, split);
  if (problem) throw new TrainingDataError(`random split: ${problem}`);
  return { split, report: { kind: "random", validationFrom: null, validationFraction: request.validationFraction } };
};

/** The given rows as row objects (the encoder is fitted on these, training rows only). */
export const rowsOf = (data: TrainingColumns, rows: Int32Array): Attributes[] => {
  const names = Object.keys(data.columns);
  const out: Attributes[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row: Attributes = {};
    for (const name of names) {
      const v = data.columns[name][rows[i]];
      row[name] = typeof v === "number" && Number.isNaN(v) ? null : v;
    }
    out[i] = row;
  }
  return out;
};

/** The given rows as columns (for encodeColumns, e.g. under the champion's encoder). */
export const columnsOf = (data: TrainingColumns, rows: Int32Array): AttributeColumns => {
  const out: AttributeColumns = {};
  for (const [name, values] of Object.entries(data.columns)) {
    if (values instanceof Float64Array) {
      const part = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) part[i] = values[rows[i]];
      out[name] = part;
    } else {
      out[name] = Array.from(rows, (r) => values[r]);
    }
  }
  return out;
};
