import { desc, eq, inArray } from "drizzle-orm";
import { notFound } from "../../errors.js";
import type { Db } from "../client.js";
import { models } from "../schema/index.js";

/*
 * Reading models: the row without its artifact, lists of them, and the artifact bytes the worker and
 * the explanations need. Their training is in model-training.ts, their approval and use in
 * model-approval.ts.
 */

/** Every column but the artifact bytes (which only the worker reads). */
export const MODEL_COLUMNS = {
  id: models.id,
  name: models.name,
  status: models.status,
  params: models.params,
  seed: models.seed,
  backend: models.backend,
  schemaVersion: models.schemaVersion,
  dataDigest: models.dataDigest,
  cutoff: models.cutoff,
  counts: models.counts,
  metrics: models.metrics,
  baselines: models.baselines,
  progress: models.progress,
  artifactSha256: models.artifactSha256,
  codeVersion: models.codeVersion,
  error: models.error,
  trainedBy: models.trainedBy,
  approvedBy: models.approvedBy,
  approvalJustification: models.approvalJustification,
  approvalWarnings: models.approvalWarnings,
  createdAt: models.createdAt,
  startedAt: models.startedAt,
  finishedAt: models.finishedAt,
  approvedAt: models.approvedAt,
  suspendedAt: models.suspendedAt,
  suspendedBy: models.suspendedBy,
  suspensionJustification: models.suspensionJustification,
  activatedAt: models.activatedAt,
  retiredAt: models.retiredAt,
};

export type ModelRow = Awaited<ReturnType<typeof getModel>>;

export async function getModel(db: Db, id: string) {
  const [row] = await db.select(MODEL_COLUMNS).from(models).where(eq(models.id, id)).limit(1);
  if (!row) throw notFound(`model ${id}`);
  return row;
}

/** Newest first. */
export const listModels = (db: Db, limit = 100) =>
  db.select(MODEL_COLUMNS).from(models).orderBy(desc(models.createdAt), desc(models.id)).limit(limit);

/** The models with these ids, in the order asked; a missing id is a 404. */
export async function getModels(db: Db, ids: string[]) {
  const rows = await db.select(MODEL_COLUMNS).from(models).where(inArray(models.id, ids));
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw notFound(`model ${id}`);
    return row;
  });
}

/** A model's artifact and the schema version it was trained on, or null before training ends. */
export async function modelArtifact(db: Db, id: string) {
  const [row] = await db
    .select({ artifact: models.artifact, schemaVersion: models.schemaVersion })
    .from(models)
    .where(eq(models.id, id))
    .limit(1);
  return row?.artifact ? { artifact: row.artifact, schemaVersion: row.schemaVersion } : null;
}

/** The active model's id and artifact (champion of the next training), or null. */
export async function activeModelArtifact(db: Db) {
  const [row] = await db
    .select({ id: models.id, artifact: models.artifact })
    .from(models)
    .where(eq(models.status, "active"))
    .limit(1);
  return row?.artifact ? { id: row.id, artifact: row.artifact } : null;
}

/** The model row, locked for the rest of the transaction (FOR UPDATE); a missing id is a 404. */
export const lockModel = async (tx: Db, id: string) => {
  const [row] = await tx.select(MODEL_COLUMNS).from(models).where(eq(models.id, id)).for("update").limit(1);
  if (!row) throw notFound(`model ${id}`);
  return row;
};

