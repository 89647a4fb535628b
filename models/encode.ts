import { toBoolean, toLevel, toNumber } from "./coerce.js";
import { fractionalYear, monthOf, parseDate, weekdayOf } from "./dates.js";
import type { AttributeEncoding, EncoderState } from "./encoder-state.js";
import type { Attributes, AttributeValue } from "./feature-schema.js";

/** An encoded matrix: row-major Float32Array of nRows × nCols (transferable to worker threads). */
export interface EncodedMatrix {
  X: Float32Array;
  nRows: number;
  nCols: number;
}

/** Writes one attribute value into its columns starting at out[at]; allocates nothing. */
type Writer = (v: AttributeValue | undefined, out: Float32Array, at: number) => void;

const TWO_PI = 2 * Math.PI;

const clipTo = (x: number, c: number): number => (x > c ? c : x < -c ? -c : x);

/** Columns are written in full (zeros included), so `out` may be reused between calls. */
const writerFor = (a: AttributeEncoding, clip: number): Writer => {
  switch (a.type) {
    case "numeric": {
      const { median, scale, missingColumn, transform } = a;
      const log = transform === "log1p";
      const edges = a.edges ?? [];
      const segments = Math.max(0, edges.length - 1);
      return (v, out, at) => {
        let x = toNumber(v);
        const missing = Number.isNaN(x);
        // A negative value under log1p (never seen in training) is treated as 0.
        if (!missing && log) x = Math.log1p(x > 0 ? x : 0);
        out[at] = missing ? 0 : clipTo((x - median) / scale, clip);
        for (let j = 0; j < segments; j++) {
          const t = (x - edges[j]) / (edges[j + 1] - edges[j]);
          out[at + 1 + j] = missing ? 0 : t <= 0 ? 0 : t >= 1 ? 1 : t;
        }
        if (missingColumn) out[at + 1 + segments] = missing ? 1 : 0;
      };
    }
    case "categorical": {
      const index = new Map<string, number>(a.levels.map((level, i) => [level, i]));
      const other = a.levels.length;
      const missingAt = other + 1;
      const width = a.width;
      return (v, out, at) => {
        out.fill(0, at, at + width);
        const level = toLevel(v);
        out[at + (level === null ? missingAt : (index.get(level) ?? other))] = 1;
      };
    }
    case "boolean": {
      const { missingColumn } = a;
      return (v, out, at) => {
        const b = toBoolean(v);
        out[at] = b === 1 ? 1 : 0;
        if (missingColumn) out[at + 1] = b === -1 ? 1 : 0;
      };
    }
    case "date": {
      const { median, scale, missingColumn } = a;
      return (v, out, at) => {
        const ms = typeof v === "number" ? v : parseDate(v);
        if (Number.isNaN(ms)) {
          out[at] = out[at + 1] = out[at + 2] = out[at + 3] = 0;
        } else {
          const angle = (TWO_PI * (monthOf(ms) - 1)) / 12;
          out[at] = clipTo((fractionalYear(ms) - median) / scale, clip);
          out[at + 1] = Math.sin(angle);
          out[at + 2] = Math.cos(angle);
          out[at + 3] = weekdayOf(ms) / 6;
        }
        if (missingColumn) out[at + 4] = Number.isNaN(ms) ? 1 : 0;
      };
    }
  }
};

const writers = (state: EncoderState): Writer[] => state.attributes.map((a) => writerFor(a, state.clip));

const target = (state: EncoderState, nRows: number, out?: Float32Array): Float32Array => {
  const size = nRows * state.nCols;
  if (!out) return new Float32Array(size);
  if (out.length < size) throw new RangeError(`output buffer holds ${out.length} values, need ${size}`);
  return out;
};

/**
 * Encodes row objects (as read from files.attributes) into a row-major matrix. Unseen
 * categorical levels go to "other", missing values to the missing columns. Pass `out` to reuse
 * a buffer across chunks.
 */
export const encodeRows = (state: EncoderState, rows: ArrayLike<Attributes>, out?: Float32Array): EncodedMatrix => {
  const { nCols } = state;
  const X = target(state, rows.length, out);
  const ws = writers(state);
  const names = state.attributes.map((a) => a.name);
  const offsets = state.attributes.map((a) => a.offset);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const base = r * nCols;
    for (let k = 0; k < ws.length; k++) ws[k](row[names[k]], X, base + offsets[k]);
  }
  return { X, nRows: rows.length, nCols };
};

/**
 * Column-wise values for the fast path: one array per attribute, all of length nRows. Numeric
 * attributes may be Float64Array/Float32Array with NaN for missing; dates may be ISO strings or
 * epoch milliseconds (NaN for missing). A missing attribute key means "all missing".
 */
export type AttributeColumns = Record<string, ArrayLike<AttributeValue> | Float64Array | Float32Array>;

/** Encodes columnar input (the 1M-row scoring path): no row objects, no per-cell allocation. */
export const encodeColumns = (
  state: EncoderState,
  columns: AttributeColumns,
  nRows: number,
  out?: Float32Array,
): EncodedMatrix => {
  const { nCols } = state;
  const X = target(state, nRows, out);
  const ws = writers(state);
  state.attributes.forEach((a, k) => {
    const values = columns[a.name];
    if (values && values.length !== nRows) throw new RangeError(`column ${a.name} has ${values.length} values, expected ${nRows}`);
    const write = ws[k];
    for (let r = 0, at = a.offset; r < nRows; r++, at += nCols) write(values ? values[r] : null, X, at);
  });
  return { X, nRows, nCols };
};

/**
 * The encoded "typical" row: training medians (numeric, date), the most frequent level
 * (categorical, boolean), nothing missing. Explanations use it as their baseline, so a reason
 * reads as "how this file differs from a typical one", and a typical value contributes 0.
 */
export const encodeBaseline = (state: EncoderState): Float32Array => {
  const row: Attributes = {};
  for (const a of state.attributes) {
    row[a.name] = a.typical;
  }
  return encodeRows(state, [row]).X;
};

/** For each encoded column, the index of its attribute in state.attributes (to group by attribute). */
export const columnAttributeIndex = (state: EncoderState): Int32Array => {
  const index = new Int32Array(state.nCols);
  state.attributes.forEach((a, k) => index.fill(k, a.offset, a.offset + a.width));
  return index;
};
