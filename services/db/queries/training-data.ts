import { desc, eq, lt } from "drizzle-orm";
import type { Db } from "../client.js";
import { featureSchemas, files, outcomes } from "../schema/index.js";

/** The feature schema a new model trains on: the latest version, or null when none was declared. */
export async function latestFeatureSchema(db: Db) {
  const [row] = await db
    .select({ version: featureSchemas.version, definition: featureSchemas.definition })
    .from(featureSchemas)
    .orderBy(desc(featureSchemas.version))
    .limit(1);
  return row ?? null;
}

/**
 * The labelled files of a training: every file with at least one control before `cutoff`
 * (exclusive), labelled by its latest such control (ties on the date by the later record), in
 * file id order so that the data digest and the seeded split do not depend on storage order.
 */
export function readTrainingRows(db: Db, cutoff: string) {
  return db
    .selectDistinctOn([outcomes.fileId], {
      fileId: outcomes.fileId,
      controlledAt: outcomes.controlledAt,
      outcome: outcomes.outcome,
      selectedBy: outcomes.selectedBy,
      selectionProbability: outcomes.selectionProbability,
      attributes: files.attributes,
    })
    .from(outcomes)
    .innerJoin(files, eq(files.id, outcomes.fileId))
    .where(lt(outcomes.controlledAt, cutoff))
    .orderBy(outcomes.fileId, desc(outcomes.controlledAt), desc(outcomes.id));
}
