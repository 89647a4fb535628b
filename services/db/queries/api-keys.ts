import { randomUUID } from "node:crypto";
import { and, asc, count, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { generateApiKey, hashApiKey } from "../api-key-format.js";
import { notFound } from "../../errors.js";
import { type Db, preparedPerDb } from "../client.js";
import { apiKeys, type Role } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

const PUBLIC_COLUMNS = {
  id: apiKeys.id,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  units: apiKeys.units,
  name: apiKeys.name,
  createdBy: apiKeys.createdBy,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
  lastUsedAt: apiKeys.lastUsedAt,
};

export interface NewApiKey {
  role: Role;
  units: string[];
  name: string;
}

/** Creates a key and its audit event together; the clear key is returned once and never stored. */
export async function createApiKey(db: Db, input: NewApiKey, by: Actor, requestId?: string) {
  const { key, prefix, sha256 } = generateApiKey();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ id: randomUUID(), prefix, sha256, role: input.role, units: input.units, name: input.name, createdBy: by.id })
      .returning(PUBLIC_COLUMNS);
    await appendAuditEvent(tx, {
      actor: by,
      action: "api_key.create",
      target: row.prefix,
      details: { role: row.role, units: row.units, name: row.name },
      requestId,
    });
    return { ...row, key };
  });
}

export const listApiKeys = (db: Db) => db.select(PUBLIC_COLUMNS).from(apiKeys).orderBy(asc(apiKeys.createdAt));

export async function revokeApiKey(db: Db, id: string, by: Actor, requestId?: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
      .where(eq(apiKeys.id, id))
      .returning(PUBLIC_COLUMNS);
    if (!row) throw notFound(`API key ${id}`);
    await appendAuditEvent(tx, { actor: by, action: "api_key.revoke", target: row.prefix, requestId });
    return row;
  });
}

const activeKeyBySha256 = preparedPerDb((db) =>
  db
    .select(PUBLIC_COLUMNS)
    .from(apiKeys)
    .where(and(eq(apiKeys.sha256, sql.placeholder("sha256")), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare("active_key_by_sha256"),
);

/** The active (not revoked) key with this clear value, or null (runs on every request). */
export async function findActiveKey(db: Db, key: string) {
  const [row] = await activeKeyBySha256(db).execute({ sha256: hashApiKey(key) });
  return row ?? null;
}

const TOUCH_INTERVAL_MS = 60_000;
/** When this process last wrote each key's last_used_at (key id → ms). */
const touchedAt = new Map<string, number>();

/**
 * Writes last_used_at at most once a minute per key, so reads do not turn into a write each. The
 * statement's condition enforces the minute across processes; the in-process memo skips the
 * statement itself (one round trip per request) when this process already wrote it this minute.
 */
export async function touchApiKey(db: Db, id: string) {
  const now = Date.now();
  if (now - (touchedAt.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
  touchedAt.set(id, now);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))));
}

export async function countApiKeys(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(apiKeys);
  return row.n;
}
