import { isAscii } from "node:buffer";
import { hash } from "node:crypto";
import {
  accumulate,
  type AttributeColumns,
  type AttributeValue,
  type DriftAccumulator,
  type DriftReference,
  emptyAccumulator,
  encodeColumns,
  type LoadedModel,
  loadModel,
} from "../../../models/index.js";
import { toNumber } from "../../../models/coerce.js";
import { chunkDigestOfCopy, copyEscape, roundContribution } from "../../audit/score-digest.js";
import type { PackedTexts } from "../../db/queries/scores.js";
import { threadBackend } from "./thread-backend.js";

/**
 * The CPU side of a score-chunk job, in a pool thread: parse the files the main thread copied out of
 * Postgres, encode them with the model's own encoder, predict and explain in large batches, and
 * return the chunk's rows as COPY text plus its digest. No database here (PGlite lives in one
 * thread, and the main thread keeps renewing the job lock while this runs).
 */

/** Model artifact by SHA-256, per thread: a chunk after the first skips deserializing (≈ 10 ms). */
const models = new Map<string, LoadedModel>();

async function modelOf(sha256: string, artifact: Uint8Array): Promise<LoadedModel> {
  await threadBackend();
  let model = models.get(sha256);
  if (!model) {
    // A thread keeps at most a couple of models (active + a shadow challenger).
    if (models.size >= 4) {
      for (const m of models.values()) m.dispose();
      models.clear();
    }
    model = loadModel(artifact);
    models.set(sha256, model);
  }
  return model;
}

export interface ModelInputsInput {
  modelSha256: string;
  artifact: Uint8Array;
}

/** The model's input attributes, in the order the chunk query must select them. */
export async function scoreModelInputs(input: ModelInputsInput): Promise<{ attributes: { name: string; type: string }[] }> {
  const model = await modelOf(input.modelSha256, input.artifact);
  return { attributes: model.encoder.attributes.map((a) => ({ name: a.name, type: a.type })) };
}

export interface ScoreChunkInput extends ModelInputsInput {
  runId: string;
  modelId: string;
  /** The chunk's file ids, in id order. */
  ids: PackedTexts;
  /** Each file's attributes object as JSON text, in the order of `ids`. */
  attributes: PackedTexts;
  /** The model's training reference; null for models trained before drift was measured. */
  driftReference: DriftReference | null;
}

export interface ScoreChunkOutput {
  /** COPY text rows for scores (run_id, file_id, model_id, model_sha256, score, reasons, input_digest). */
  copy: Uint8Array;
  digest: string;
  n: number;
  /** This chunk's counts in the reference's bins (merged into the run's drift when it completes). */
  drift: DriftAccumulator | null;
  millis: { parse: number; encode: number; predict: number; explain: number; rows: number; drift: number };
}

/** The texts of a PackedTexts; ASCII (the usual case) is decoded as latin1, which skips UTF-8 validation. */
function unpackTexts({ bytes, ends }: PackedTexts): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const encoding = isAscii(buffer) ? "latin1" : "utf8";
  const texts = new Array<string>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    texts[i] = buffer.toString(encoding, start, ends[i]);
    start = ends[i];
  }
  return texts;
}

/**
 * Bytes enough for a chunk's COPY lines: the fixed fields, a score (at most 24 characters as a
 * shortest double), a 64-character digest, the longest reasons, and every id escaped at worst.
 */
function copyCapacity(ids: PackedTexts, fixed: string, quotedNames: string[], n: number, topK: number): number {
  const longestName = Math.max(0, ...quotedNames.map((name) => Buffer.byteLength(name)));
  const reasons = 2 + topK * (longestName + 4 + 24);
  const perLine = Buffer.byteLength(fixed) + 24 + 1 + reasons + 1 + 64 + 1;
  return n * perLine + 2 * ids.bytes.byteLength;
}

/** score-chunk's CPU work; see the module comment. */
export async function scoreChunk(input: ScoreChunkInput): Promise<ScoreChunkOutput> {
  const model = await modelOf(input.modelSha256, input.artifact);
  const t0 = performance.now();
  const attrs = model.encoder.attributes;
  const ids = unpackTexts(input.ids);
  const n = ids.length;
  // One small string per file, parsed on its own: decoding the chunk's 6 MB as one string and
  // parsing that costs more (a large-object allocation, then a string V8 must scan whole).
  const objects = unpackTexts(input.attributes).map((json) => JSON.parse(json) as Record<string, AttributeValue>);
  if (objects.length !== n) throw new Error(`chunk has ${n} ids but ${objects.length} attribute objects`);
  const columns: AttributeColumns = {};
  attrs.forEach((a) => {
    if (a.type === "numeric") {
      const col = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = objects[r][a.name];
        // JSON numbers arrive as numbers; anything else is read as models/coerce.ts toNumber does.
        col[r] = typeof v === "number" && Number.isFinite(v) ? v : toNumber(v);
      }
      columns[a.name] = col;
    } else {
      const col = new Array<AttributeValue>(n);
      for (let r = 0; r < n; r++) col[r] = objects[r][a.name] ?? null;
      columns[a.name] = col;
    }
  });
  const t1 = performance.now();
  const { X, nCols } = encodeColumns(model.encoder, columns, n);
  const t2 = performance.now();
  const scores = model.predict(X, n);
  const t3 = performance.now();
  const explained = model.explain(X, n, { topK: 5 });
  const t4 = performance.now();

  const quotedNames = model.attributeNames.map((a) => JSON.stringify(a));
  const { topK, attribute, contribution } = explained;
  const bytes = new Uint8Array(X.buffer, X.byteOffset, X.byteLength);
  const rowBytes = nCols * 4;
  // Rows are read in keyset order; the digest wants code-unit order, which is the same for the
  // usual ASCII ids under a C or UTF-8 collation, so sorting is only needed when it differs.
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 1; r < n; r++) {
    if (ids[r - 1] > ids[r]) {
      order.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
      break;
    }
  }
  const prefix = `${input.runId}\t`;
  const model2 = `\t${input.modelId}\t${input.modelSha256}\t`;
  // Lines are written straight into one buffer sized for the longest possible line (joining
  // strings first and encoding the result cost twice as much).
  const copy = Buffer.allocUnsafe(copyCapacity(input.ids, prefix + model2, quotedNames, n, topK));
  let length = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    // Input digest: SHA-256 of the row's encoded float32 values, little-endian, as fed to the net.
    const inputDigest = hash("sha256", bytes.subarray(r * rowBytes, (r + 1) * rowBytes), "hex");
    let reasons = "[";
    for (let j = 0, at = r * topK; j < topK; j++, at++) {
      const a = attribute[at];
      if (a < 0) break;
      reasons += `${j ? "," : ""}[${quotedNames[a]},${roundContribution(contribution[at])}]`;
    }
    // Exactly score-digest.ts canonicalLine: the digest covers the bytes COPY receives.
    length += copy.write(`${prefix}${copyEscape(ids[r])}${model2}${scores[r]}\t${reasons}]\t${inputDigest}\n`, length, "utf8");
  }
  // A write past the end is truncated silently; copyCapacity leaves slack on every line, so coming
  // this close to the end can only mean it was wrong.
  if (length > copy.length - 4) throw new Error(`COPY lines overran their ${copy.length}-byte buffer`);
  const digest = chunkDigestOfCopy(copy.subarray(0, length));
  const t5 = performance.now();
  // Drift as the chunk streams by: counts in the training reference's bins, no second pass.
  const ref = input.driftReference;
  const types = Object.fromEntries(attrs.map((a) => [a.name, a.type]));
  const drift = ref ? accumulate(ref, emptyAccumulator(ref), types, columns, scores) : null;
  const t6 = performance.now();
  return {
    copy: new Uint8Array(copy.buffer, copy.byteOffset, length),
    digest,
    n,
    drift,
    millis: { parse: t1 - t0, encode: t2 - t1, predict: t3 - t2, explain: t4 - t3, rows: t5 - t4, drift: t6 - t5 },
  };
}
