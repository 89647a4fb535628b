import { createHash } from "node:crypto";
import { type AttributeColumns, encodeColumns, type LoadedModel, loadModel } from "../../../models/index.js";
import { canonicalLine, chunkDigestOfLines, roundContribution } from "../../audit/score-digest.js";
import { threadBackend } from "../cpu-tasks.js";

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
  /** UTF-8 JSON `[[fileId, value, …], …]`: one value (text or null) per model attribute, in order. */
  rowsJson: Uint8Array;
}

export interface ScoreChunkOutput {
  /** COPY text rows for scores (run_id, file_id, model_id, model_sha256, score, reasons, input_digest). */
  copy: Uint8Array;
  digest: string;
  n: number;
  millis: { parse: number; encode: number; predict: number; explain: number; rows: number };
}

/** The reverse, for the file id we write back. */
const escapeCopy = (s: string): string =>
  /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : s;

/** score-chunk's CPU work; see the module comment. */
export async function scoreChunk(input: ScoreChunkInput): Promise<ScoreChunkOutput> {
  const model = await modelOf(input.modelSha256, input.artifact);
  const t0 = performance.now();
  const attrs = model.encoder.attributes;
  const rows = JSON.parse(
    Buffer.from(input.rowsJson.buffer, input.rowsJson.byteOffset, input.rowsJson.byteLength).toString("utf8"),
  ) as (string | null)[][];
  const n = rows.length;
  const ids: string[] = new Array(n);
  const columns: AttributeColumns = {};
  const numeric = attrs.map((a) => a.type === "numeric");
  const cols = attrs.map((a, k) => (numeric[k] ? new Float64Array(n) : new Array<string | null>(n)));
  attrs.forEach((a, k) => {
    columns[a.name] = cols[k];
  });
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    ids[r] = row[0] ?? "";
    for (let k = 0; k < attrs.length; k++) {
      const v = row[k + 1];
      if (numeric[k]) {
        // Same reading as models/coerce.ts toNumber: blank or non-numeric text is missing.
        const x = v === null || v.trim() === "" ? Number.NaN : Number(v);
        (cols[k] as Float64Array)[r] = Number.isFinite(x) ? x : Number.NaN;
      } else (cols[k] as (string | null)[])[r] = v;
    }
  }
  const t1 = performance.now();
  const { X, nCols } = encodeColumns(model.encoder, columns, n);
  const t2 = performance.now();
  const scores = model.predict(X, n);
  const t3 = performance.now();
  const explained = model.explain(X, n, { topK: 5 });
  const t4 = performance.now();

  const names = model.attributeNames;
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
  const canonical: string[] = new Array(n);
  const prefix = `${input.runId}\t`;
  const suffix = `\t${input.modelId}\t${input.modelSha256}\t`;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    // Input digest: SHA-256 of the row's encoded float32 values, little-endian, as fed to the net.
    const inputDigest = createHash("sha256")
      .update(bytes.subarray(r * rowBytes, (r + 1) * rowBytes))
      .digest("hex");
    let reasons = "[";
    for (let j = 0; j < topK; j++) {
      const a = attribute[r * topK + j];
      if (a < 0) break;
      reasons += `${j ? "," : ""}[${JSON.stringify(names[a])},${roundContribution(contribution[r * topK + j])}]`;
    }
    reasons += "]";
    const score = scores[r];
    out[i] = `${prefix}${escapeCopy(ids[r])}${suffix}${score}\t${reasons}\t${inputDigest}\n`;
    canonical[i] = canonicalLine(
      { fileId: ids[r], modelId: input.modelId, modelSha256: input.modelSha256, score, inputDigest },
      reasons,
    );
  }
  const digest = chunkDigestOfLines(input.runId, canonical);
  const copy = Buffer.from(out.join(""), "utf8");
  const t5 = performance.now();
  return {
    copy: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength),
    digest,
    n,
    millis: { parse: t1 - t0, encode: t2 - t1, predict: t3 - t2, explain: t4 - t3, rows: t5 - t4 },
  };
}
