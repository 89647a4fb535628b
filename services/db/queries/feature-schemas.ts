import { desc, eq, sql } from "drizzle-orm";
import type { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import type { Actor } from "../actor.js";
import type { Db } from "../client.js";
import { featureSchemas } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

export type FeatureSchemaRow = typeof featureSchemas.$inferSelect;

/** Any constant works; it serializes schema versions, so two PUTs never race for the same number. */
const SCHEMA_VERSION_LOCK = 7_402_002;

/** The newest schema version, or null before the first PUT. */
export async function getCurrentSchema(db: Db): Promise<FeatureSchemaRow | null> {
  const [row] = await db.select().from(featureSchemas).orderBy(desc(featureSchemas.version)).limit(1);
  return row ?? null;
}

export async function getSchemaVersion(db: Db, version: number): Promise<FeatureSchemaRow | null> {
  const [row] = await db.select().from(featureSchemas).where(eq(featureSchemas.version, version)).limit(1);
  return row ?? null;
}

/**
 * Stores `definition` as the next version with its audit event (schema.put), unless it equals the
 * current version, which is then returned as is (`created: false`): a repeated PUT changes nothing.
 * Versions are never changed or deleted, since models record the version they were trained on.
 */
export async function putSchema(
  db: Db,
  definition: FeatureSchemaDefinition,
  by: Actor,
  requestId?: string,
): Promise<{ row: FeatureSchemaRow; created: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SCHEMA_VERSION_LOCK})`);
    const current = await getCurrentSchema(tx);
    if (current && canonical(current.definition) === canonical(definition)) return { row: current, created: false };
    const version = (current?.version ?? 0) + 1;
    const [row] = await tx.insert(featureSchemas).values({ version, definition, createdBy: by.id }).returning();
    await appendAuditEvent(tx, {
      actor: by,
      action: "schema.put",
      target: `schema:${version}`,
      details: {
        version,
        previousVersion: current?.version ?? null,
        attributes: definition.attributes.length,
        features: definition.attributes.filter((a) => a.role === "feature").length,
        segments: definition.attributes.filter((a) => a.role === "segment").map((a) => a.name),
        amountAttribute: definition.amountAttribute ?? null,
      },
      requestId,
    });
    return { row, created: true };
  });
}

/** JSON with sorted keys, so that key order (and jsonb's reordering) does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
