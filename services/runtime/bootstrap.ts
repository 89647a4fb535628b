import { sql } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../auth/actor.js";
import type { Db } from "../db/client.js";
import { countApiKeys, createApiKey } from "../db/queries/api-keys.js";

const BOOTSTRAP_LOCK = 7_402_002;

/**
 * On first start (no keys at all) creates one admin key and returns it, so that it can be printed
 * once; returns null otherwise. An advisory lock keeps two processes starting together from both
 * creating one.
 */
export async function ensureFirstAdminKey(db: Db): Promise<{ key: string; prefix: string } | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    if ((await countApiKeys(tx)) > 0) return null;
    const created = await createApiKey(tx, { role: "admin", units: [], name: "first admin" }, SYSTEM_ACTOR);
    return { key: created.key, prefix: created.prefix };
  });
}
