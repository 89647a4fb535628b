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
  /** UTF-8 JSON `["F1", …]`: the chunk's file ids. */
  ids: Uint8Array;
  /** UTF-8 JSON `[{…}, …]`: each file's attributes object, in the order of `ids`. */
  attributes: Uint8Array;
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

/** The reverse, for the file id we write back. */
/** score-chunk's CPU work; see the module comment. */
export async function scoreChunk(input: ScoreChunkInput): Promise<ScoreChunkOutput> {
  const model = await modelOf(input.modelSha256, input.artifact);
  const t0 = performance.now();
  const attrs = model.encoder.attributes;
  const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");
  const ids = JSON.parse(text(input.ids)) as string[];
  const objects = JSON.parse(text(input.attributes)) as Record<string, AttributeValue>[];
  const n = ids.length;
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
  const out: string[] = new Array(n);
  const prefix = `${input.runId}\t`;
  const model2 = `\t${input.modelId}\t${input.modelSha256}\t`;
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
    out[i] = `${prefix}${copyEscape(ids[r])}${model2}${scores[r]}\t${reasons}]\t${inputDigest}\n`;
  }
  const copy = Buffer.from(out.join(""), "utf8");
  const digest = chunkDigestOfCopy(copy);
  const t5 = performance.now();
  // Drift as the chunk streams by: counts in the training reference's bins, no second pass.
  const ref = input.driftReference;
  const types = Object.fromEntries(attrs.map((a) => [a.name, a.type]));
  const drift = ref ? accumulate(ref, emptyAccumulator(ref), types, columns, scores) : null;
  const t6 = performance.now();
  return {
    copy: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength),
    digest,
    n,
    drift,
    millis: { parse: t1 - t0, encode: t2 - t1, predict: t3 - t2, explain: t4 - t3, rows: t5 - t4, drift: t6 - t5 },
  };
}
