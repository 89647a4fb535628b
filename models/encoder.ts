import { quantileSorted, toBoolean, toLevel, toNumber } from "./coerce.js";
import { fractionalYear, parseDate } from "./dates.js";
import {
  type AttributeEncoding,
  type EncodedColumn,
  EncoderOptions,
  type EncoderState,
} from "./encoder-state.js";
import { type Attributes, type AttributeSpec, type FeatureSchemaDefinition, featureAttributes } from "./feature-schema.js";

export { EncoderOptions, EncoderState } from "./encoder-state.js";

interface Robust {
  median: number;
  scale: number;
}

/**
 * Median and spread of the finite values. The spread is the IQR; when that is 0 (a mostly
 * constant column) the 5–95 % range, then the full range, then 1, so scaling never divides by 0.
 */
const robustStats = (sorted: Float64Array): Robust => {
  if (sorted.length === 0) return { median: 0, scale: 1 };
  const median = quantileSorted(sorted, 0.5);
  const spreads = [
    quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25),
    quantileSorted(sorted, 0.95) - quantileSorted(sorted, 0.05),
    sorted[sorted.length - 1] - sorted[0],
  ];
  return { median, scale: spreads.find((s) => s > 1e-12) ?? 1 };
};

const finiteSorted = (values: number[]): Float64Array => Float64Array.from(values).sort();

/**
 * log1p is used when values are non-negative and right-skewed: the 99th percentile lies more
 * than 4 IQRs above the median (e.g. lognormal amounts; not uniform or exponential values).
 * Otherwise clipping at a few IQRs would flatten the whole tail that often matters most.
 */
const wantsLog = (sorted: Float64Array): boolean => {
  if (sorted.length < 20 || sorted[0] < 0) return false;
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  return quantileSorted(sorted, 0.99) - quantileSorted(sorted, 0.5) > 4 * Math.max(iqr, 1e-12);
};

/** The attribute's parsed values over the rows, missing and unparseable ones left out. */
const presentValues = (rows: Attributes[], name: string, parse: (v: Attributes[string]) => number): number[] => {
  const values: number[] = [];
  for (const row of rows) {
    const v = parse(row[name]);
    if (!Number.isNaN(v)) values.push(v);
  }
  return values;
};

/**
 * Segment edges at the training quantiles j / bins of the (transformed) values, duplicates
 * dropped; none when the values have fewer distinct values than bins or give fewer than 2 segments.
 */
const quantileEdges = (sorted: Float64Array, bins: number): number[] | undefined => {
  if (bins < 2 || sorted.length === 0) return undefined;
  let distinct = 1;
  for (let i = 1; i < sorted.length && distinct <= bins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= bins) return undefined;
  const edges: number[] = [];
  for (let j = 0; j <= bins; j++) {
    const e = quantileSorted(sorted, j / bins);
    if (edges.length === 0 || e > edges[edges.length - 1] + 1e-12) edges.push(e);
  }
  return edges.length >= 3 ? edges : undefined;
};

const fitNumeric = (spec: AttributeSpec, rows: Attributes[], offset: number, bins: number) => {
  const raw = finiteSorted(presentValues(rows, spec.name, toNumber));
  const transform = wantsLog(raw) ? ("log1p" as const) : ("none" as const);
  const sorted = transform === "log1p" ? raw.map(Math.log1p) : raw;
  const { median, scale } = robustStats(sorted);
  const edges = quantileEdges(sorted, bins);
  const segments = edges ? edges.length - 1 : 0;
  const missingColumn = spec.missing === "allow";
  const encoding: AttributeEncoding = {
    type: "numeric",
    name: spec.name,
    offset,
    width: 1 + segments + (missingColumn ? 1 : 0),
    missingColumn,
    transform,
    median,
    scale,
    typical: raw.length ? quantileSorted(raw, 0.5) : 0,
    ...(edges ? { edges } : {}),
  };
  const columns: EncodedColumn[] = [
    { attribute: spec.name, label: spec.name },
    ...Array.from({ length: segments }, (_, j) => ({ attribute: spec.name, label: `${spec.name} segment ${j + 1}/${segments}` })),
  ];
  return { encoding, columns };
};

const fitCategorical = (spec: AttributeSpec, rows: Attributes[], offset: number, opts: Required<EncoderOptions>) => {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const row of rows) {
    const level = toLevel(row[spec.name]);
    if (level === null) missing++;
    else counts.set(level, (counts.get(level) ?? 0) + 1);
  }
  // Most frequent first, ties by name, so that the layout does not depend on row order.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const levels = ranked
    .filter(([, n]) => n >= opts.minLevelCount)
    .slice(0, opts.maxLevels)
    .map(([level]) => level);
  const top = ranked[0];
  const encoding: AttributeEncoding = {
    type: "categorical",
    name: spec.name,
    offset,
    width: levels.length + 2,
    // "other" and "missing" are always present, so unseen and absent values have a column.
    missingColumn: true,
    levels,
    typical: top && top[1] >= missing ? top[0] : null,
  };
  const columns: EncodedColumn[] = [
    ...levels.map((level) => ({ attribute: spec.name, label: `${spec.name}=${level}` })),
    { attribute: spec.name, label: `${spec.name}=other` },
  ];
  return { encoding, columns };
};

const fitBoolean = (spec: AttributeSpec, rows: Attributes[], offset: number) => {
  let yes = 0;
  let no = 0;
  for (const row of rows) {
    const b = toBoolean(row[spec.name]);
    if (b === 1) yes++;
    else if (b === 0) no++;
  }
  const missingColumn = spec.missing === "allow";
  const encoding: AttributeEncoding = {
    type: "boolean",
    name: spec.name,
    offset,
    width: missingColumn ? 2 : 1,
    missingColumn,
    typical: yes > no,
  };
  return { encoding, columns: [{ attribute: spec.name, label: spec.name }] };
};

const fitDate = (spec: AttributeSpec, rows: Attributes[], offset: number) => {
  const sortedMs = finiteSorted(presentValues(rows, spec.name, parseDate));
  const { median, scale } = robustStats(sortedMs.map(fractionalYear));
  const missingColumn = spec.missing === "allow";
  const encoding: AttributeEncoding = {
    type: "date",
    name: spec.name,
    offset,
    width: missingColumn ? 5 : 4,
    missingColumn,
    median,
    scale,
    typical: sortedMs.length ? sortedMs[Math.floor((sortedMs.length - 1) / 2)] : 0,
  };
  const columns: EncodedColumn[] = [
    { attribute: spec.name, label: `${spec.name} (year)` },
    { attribute: spec.name, label: `${spec.name} month (sin)` },
    { attribute: spec.name, label: `${spec.name} month (cos)` },
    { attribute: spec.name, label: `${spec.name} weekday` },
  ];
  return { encoding, columns };
};

/**
 * Fits the encoder on training rows only (validation and scoring rows must not leak into the
 * medians, IQRs or level lists). The column layout follows the schema's feature order.
 */
export const fitEncoder = (
  schema: FeatureSchemaDefinition,
  rows: Attributes[],
  options: EncoderOptions = {},
): EncoderState => {
  const opts = EncoderOptions.parse(options) as Required<EncoderOptions>;
  const attributes: AttributeEncoding[] = [];
  const columns: EncodedColumn[] = [];
  for (const spec of featureAttributes(schema)) {
    const offset = columns.length;
    const fitted =
      spec.type === "numeric"
        ? fitNumeric(spec, rows, offset, opts.numericBins)
        : spec.type === "categorical"
          ? fitCategorical(spec, rows, offset, opts)
          : spec.type === "boolean"
            ? fitBoolean(spec, rows, offset)
            : fitDate(spec, rows, offset);
    attributes.push(fitted.encoding);
    columns.push(...fitted.columns);
    if (fitted.encoding.missingColumn) columns.push({ attribute: spec.name, label: `${spec.name}=missing` });
  }
  if (columns.length === 0) throw new Error("the feature schema has no feature attributes to encode");
  return { version: 1, clip: opts.clip, nRowsFitted: rows.length, attributes, columns, nCols: columns.length };
};
