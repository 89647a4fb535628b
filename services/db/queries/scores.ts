import { desc, eq, sql } from "drizzle-orm";
import { chunkDigest, type DigestRow, rootDigest } from "../../audit/score-digest.js";
import { copyIn } from "../bulk.js";
import type { Database, Db } from "../client.js";
import { queryRows } from "../client.js";
import { models, scores, scoringChunks, scoringRuns } from "../schema/index.js";

/**
 * The chunk's files, one row each in id order: the id and the attributes object as JSON text,
 * limited to the run's scope as stored on the run. The main thread only packs the bytes (see
 * packTexts); the CPU thread decodes and parses them. Measured on 10,000 demo files: these rows cost
 * Postgres about 25 ms, where one aggregate of the same texts (`string_agg`, the previous design)
 * cost 140 ms, most of it growing and copying one 6 MB value.
 * (COPY TO STDOUT was tried first: postgres.js can leave its socket paused after a small COPY, and
 * the pooled connection then hangs on its next query.)
 */
function chunkFilesQuery(run: { id: string; scope: Record<string, unknown> }) {
  const scopeSql =
    "units" in run.scope
      ? "and unit in (select jsonb_array_elements_text(scope->'units') from scoring_runs where id = $1)"
      : "fileIds" in run.scope
        ? "and id in (select jsonb_array_elements_text(scope->'fileIds') from scoring_runs where id = $1)"
        : "";
  return `select id, attributes::text as attributes
          from files where $1::uuid is not null and id >= $2 and id <= $3 ${scopeSql} order by id`;
}

/**
 * UTF-8 texts packed end to end: text i is `bytes[ends[i-1] .. ends[i])`. Both arrays own their
 * memory, so they can be transferred to a CPU thread rather than copied.
 */
export interface PackedTexts {
  bytes: Uint8Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
}

/** A chunk's files, in id order: their ids and their attributes objects as JSON text. */
export interface ChunkFiles {
  ids: PackedTexts;
  attributes: PackedTexts;
}

/** One copy of the driver's Buffers (views of its socket buffers) into memory of our own. */
function packTexts(values: Uint8Array[]): PackedTexts {
  const ends = new Uint32Array(values.length);
  let length = 0;
  values.forEach((value, i) => {
    length += value.byteLength;
    ends[i] = length;
  });
  const bytes = new Uint8Array(length);
  values.forEach((value, i) => bytes.set(value, ends[i] - value.byteLength));
  return { bytes, ends };
}

/** Reads a chunk's files (see chunkFilesQuery). */
export async function readChunkFiles(
  database: Database,
  run: { id: string; scope: Record<string, unknown> },
  chunk: { firstFileId: string; lastFileId: string },
): Promise<ChunkFiles> {
  const query = chunkFilesQuery(run);
  const params = [run.id, chunk.firstFileId, chunk.lastFileId];
  if (database.driver === "postgres") {
    // raw(): the values arrive as Buffers, never decoded to JS strings here.
    const rows = (await database.sql.unsafe(query, params).raw()) as unknown as Buffer[][];
    return { ids: packTexts(rows.map((row) => row[0])), attributes: packTexts(rows.map((row) => row[1])) };
  }
  const { rows } = await database.pglite.query<{ id: string; attributes: string }>(query, params);
  const utf8 = (text: string) => Buffer.from(text, "utf8");
  return { ids: packTexts(rows.map((row) => utf8(row.id))), attributes: packTexts(rows.map((row) => utf8(row.attributes))) };
}

const SCORE_COLUMNS = "run_id, file_id, model_id, model_sha256, score, reasons, input_digest";

export interface ChunkScores {
  runId: string;
  chunkNo: number;
  /** COPY text rows in SCORE_COLUMNS order. */
  copy: Uint8Array;
  digest: string;
  n: number;
  /** The chunk's drift counts; null when the model has no drift reference. */
  drift: unknown | null;
}

/**
 * Writes a chunk's scores and its digest in ONE transaction, exactly once: the chunk row is locked
 * first, and when its digest is already set (an earlier delivery of the same job committed), the
 * rows are not written again. A crash before commit leaves nothing, so a retry starts clean; two
 * deliveries at once serialize on the lock. The (run_id, file_id) primary key is the last guard.
 */
export async function writeChunkScores(database: Database, input: ChunkScores): Promise<{ written: boolean }> {
  if (database.driver === "postgres") {
    return database.sql.begin(async (tx) => {
      const [chunk] = await tx<{ digest: string | null }[]>`
        select digest from scoring_chunks where run_id = ${input.runId} and chunk_no = ${input.chunkNo} for update`;
      if (!chunk) throw new Error(`chunk ${input.chunkNo} of run ${input.runId} does not exist`);
      if (chunk.digest) return { written: false };
      if (input.n > 0) await copyIn(tx, `copy scores (${SCORE_COLUMNS}) from stdin`, input.copy);
      await tx`update scoring_chunks set digest = ${input.digest}, n = ${input.n}, finished_at = now(),
               drift = ${input.drift === null ? null : JSON.stringify(input.drift)}::jsonb
               where run_id = ${input.runId} and chunk_no = ${input.chunkNo}`;
      return { written: true };
    }) as Promise<{ written: boolean }>;
  }
  return database.pglite.transaction(async (tx) => {
    const { rows } = await tx.query<{ digest: string | null }>(
      "select digest from scoring_chunks where run_id = $1 and chunk_no = $2 for update",
      [input.runId, input.chunkNo],
    );
    if (!rows[0]) throw new Error(`chunk ${input.chunkNo} of run ${input.runId} does not exist`);
    if (rows[0].digest) return { written: false };
    // PGlite has no COPY stream here; /dev/blob is its COPY FROM a client-side buffer.
    if (input.n > 0) await tx.query(`copy scores (${SCORE_COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([input.copy]) });
    await tx.query("update scoring_chunks set digest = $1, n = $2, finished_at = now(), drift = $5::jsonb where run_id = $3 and chunk_no = $4", [
      input.digest,
      input.n,
      input.runId,
      input.chunkNo,
      input.drift === null ? null : JSON.stringify(input.drift),
    ]);
    return { written: true };
  });
}

/** Every score a file ever got, newest first, with its model and run. */
export async function listFileScores(db: Db, fileId: string, limit = 1000) {
  return db
    .select({
      runId: scores.runId,
      modelId: scores.modelId,
      modelSha256: scores.modelSha256,
      modelName: models.name,
      score: scores.score,
      reasons: scores.reasons,
      inputDigest: scores.inputDigest,
      createdAt: scores.createdAt,
      shadow: scoringRuns.shadow,
      runStatus: scoringRuns.status,
    })
    .from(scores)
    .innerJoin(scoringRuns, eq(scoringRuns.id, scores.runId))
    .leftJoin(models, eq(models.id, scores.modelId))
    .where(eq(scores.fileId, fileId))
    .orderBy(desc(scores.createdAt), desc(scores.runId))
    .limit(limit);
}

export interface ChunkMismatch {
  chunkNo: number;
  firstFileId: string;
  lastFileId: string;
  storedDigest: string | null;
  recomputedDigest: string;
  storedRows: number;
  recordedRows: number;
}

/**
 * Recomputes every chunk digest of a run from the stored score rows (the chunk's keyset range) and
 * the root digest from those; reports the chunks whose digest differs and rows outside any chunk.
 */
export async function verifyRunScores(db: Db, runId: string) {
  const [run] = await db.select().from(scoringRuns).where(eq(scoringRuns.id, runId));
  if (!run) return null;
  const chunks = await db.select().from(scoringChunks).where(eq(scoringChunks.runId, runId)).orderBy(scoringChunks.chunkNo);
  const mismatched: ChunkMismatch[] = [];
  const recomputed: { chunkNo: number; digest: string }[] = [];
  let rowsInChunks = 0;
  for (const chunk of chunks) {
    const rows = await queryRows<DigestRow>(
      db,
      sql`select file_id as "fileId", model_id as "modelId", model_sha256 as "modelSha256", score,
                 reasons, input_digest as "inputDigest"
          from scores where run_id = ${runId}::uuid and file_id >= ${chunk.firstFileId} and file_id <= ${chunk.lastFileId}`,
    );
    for (const r of rows) {
      r.score = Number(r.score);
      if (typeof r.reasons === "string") r.reasons = JSON.parse(r.reasons);
    }
    rowsInChunks += rows.length;
    // A chunk never finished (failed or cancelled run) has no digest and must have no rows.
    if (!chunk.digest && rows.length === 0) continue;
    const digest = chunkDigest(runId, rows);
    recomputed.push({ chunkNo: chunk.chunkNo, digest });
    if (digest !== chunk.digest || rows.length !== chunk.n) {
      mismatched.push({
        chunkNo: chunk.chunkNo,
        firstFileId: chunk.firstFileId,
        lastFileId: chunk.lastFileId,
        storedDigest: chunk.digest,
        recomputedDigest: digest,
        storedRows: rows.length,
        recordedRows: chunk.n,
      });
    }
  }
  const [{ total }] = await queryRows<{ total: number }>(db, sql`select count(*)::int as total from scores where run_id = ${runId}::uuid`);
  const root = recomputed.length === chunks.length ? rootDigest(runId, recomputed) : null;
  const rootOk = run.rootDigest === null ? null : run.rootDigest === root;
  // The digest the hash chain holds for the run (its completion event): the chunk and run rows
  // could be rewritten together with the scores, the chain cannot without breaking it (GET
  // /v1/audit/verify, and signed checkpoints against rehashing).
  const [completion] = await queryRows<{ root: string | null }>(
    db,
    sql`select details->>'rootDigest' as root from audit_events
        where action = 'scoring_run.complete' and target = ${runId} order by id limit 1`,
  );
  const chainedRootDigest = completion?.root ?? null;
  const chainOk = run.status === "completed" ? chainedRootDigest !== null && chainedRootDigest === root : null;
  return {
    ok: mismatched.length === 0 && total === rowsInChunks && rootOk !== false && chainOk !== false,
    chainedRootDigest,
    chainOk,
    runId,
    status: run.status,
    chunks: chunks.length,
    rows: total,
    rowsOutsideChunks: total - rowsInChunks,
    storedRootDigest: run.rootDigest,
    recomputedRootDigest: root,
    rootOk,
    mismatchedChunks: mismatched,
  };
}
