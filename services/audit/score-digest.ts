import { createHash } from "node:crypto";

/**
 * The digests that make the scores table verifiable (format "cts-scores-v1"). Computed by the
 * worker thread when a chunk is scored and recomputed from the stored rows by
 * GET /v1/audit/verify?run=ID, so both must use exactly these functions.
 *
 * Chunk digest = SHA-256 (hex) of the UTF-8 bytes of
 *   "cts-scores-v1\n" + one line per row, rows sorted by file_id in ascending UTF-16 code unit
 *   order (JavaScript `<`; byte order for ASCII ids), where a line is exactly the row as the worker
 *   sends it to COPY (text format):
 *   run_id \t copy(file_id) \t model_id \t model_sha256 \t score \t reasons \t input_digest \n
 * - copy(s): COPY text escaping (backslash, tab, newline, carriage return become \\ \t \n \r);
 * - score: the stored float8 as the shortest decimal that reads back as the same double
 *   (ECMAScript Number::toString; Ryu-style shortest round-trip in other languages);
 * - reasons: JSON.stringify of the stored jsonb array [[attribute, contribution], …], whose
 *   contributions are written with at most 4 decimals, so jsonb returns the same numbers;
 * - input_digest: SHA-256 (hex) of the row's encoded model inputs, float32 little-endian.
 * So the worker digests the very bytes it writes, and verify rebuilds them from the stored rows.
 * Root digest = SHA-256 (hex) of "cts-run-v1\n" + run_id + "\n" + "chunk_no \t digest \n" per chunk in
 * ascending chunk_no.
 */
export const SCORE_DIGEST_FORMAT = "cts-scores-v1";

/** One stored score as the digest reads it. */
export interface DigestRow {
  fileId: string;
  modelId: string;
  modelSha256: string;
  score: number;
  reasons: unknown;
  inputDigest: string;
}

/** COPY text escaping of a field. */
export const copyEscape = (s: string): string =>
  /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : s;

/** One row's canonical line (= its COPY line); `reasonsJson` is JSON.stringify(reasons). */
export function canonicalLine(runId: string, row: Omit<DigestRow, "reasons">, reasonsJson: string): string {
  return `${runId}\t${copyEscape(row.fileId)}\t${row.modelId}\t${row.modelSha256}\t${row.score}\t${reasonsJson}\t${row.inputDigest}\n`;
}

/** Contribution rounded to 4 decimals as a number (-0 becomes 0, as jsonb has no negative zero). */
export const roundContribution = (c: number): number => Math.round(c * 10_000) / 10_000 + 0;

const byFileId = (a: DigestRow, b: DigestRow) => (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0);

/** Digest of a chunk's rows in any order (they are sorted here). */
export function chunkDigest(runId: string, rows: DigestRow[]): string {
  const hash = createHash("sha256").update(`${SCORE_DIGEST_FORMAT}\n`);
  for (const row of [...rows].sort(byFileId)) hash.update(canonicalLine(runId, row, JSON.stringify(row.reasons)));
  return hash.digest("hex");
}

/** Digest of the chunk's COPY text, its lines already in canonical order (the worker's fast path). */
export function chunkDigestOfCopy(copy: Uint8Array): string {
  return createHash("sha256").update(`${SCORE_DIGEST_FORMAT}\n`).update(copy).digest("hex");
}

/** The run's root digest over its chunks' digests. */
export function rootDigest(runId: string, chunks: { chunkNo: number; digest: string }[]): string {
  const hash = createHash("sha256").update(`cts-run-v1\n${runId}\n`);
  for (const c of [...chunks].sort((a, b) => a.chunkNo - b.chunkNo)) hash.update(`${c.chunkNo}\t${c.digest}\n`);
  return hash.digest("hex");
}
