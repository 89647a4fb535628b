import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { type Db, preparedPerDb } from "../client.js";
import { apiKeys, webSessions } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";

/** The cookie holds 256 random bits; the table only their SHA-256 (a database read gives no cookie). */
export const sessionHash = (id: string) => createHash("sha256").update(id, "utf8").digest("hex");

export interface WebSession {
  actor: Actor;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Starts a session for an already authenticated key and records the sign-in in the same
 * transaction. Expired sessions are swept here, the one place that writes the table.
 */
export async function createWebSession(db: Db, actor: Actor & { keyId: string }, ttlMs: number, requestId?: string) {
  const id = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.transaction(async (tx) => {
    await tx.delete(webSessions).where(lt(webSessions.expiresAt, sql`now()`));
    await tx.insert(webSessions).values({ idSha256: sessionHash(id), keyId: actor.keyId, csrfToken, expiresAt });
    await appendAuditEvent(tx, { actor, action: "web.sign_in", details: { expiresAt: expiresAt.toISOString() }, requestId });
  });
  return { id, csrfToken, expiresAt };
}

const liveSession = preparedPerDb((db) =>
  db
    .select({
      csrfToken: webSessions.csrfToken,
      expiresAt: webSessions.expiresAt,
      keyId: apiKeys.id,
      prefix: apiKeys.prefix,
      name: apiKeys.name,
      role: apiKeys.role,
      units: apiKeys.units,
    })
    .from(webSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, webSessions.keyId))
    .where(and(eq(webSessions.idSha256, sql.placeholder("idSha256")), gt(webSessions.expiresAt, sql`now()`), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare("web_live_session"),
);

/**
 * The session of a cookie value, or null when it is unknown, expired, signed out or its key was
 * revoked. The actor is read from the key on every request, so a key's role or units changing
 * changes what the session may do at once, exactly as for the API.
 */
export async function findWebSession(db: Db, id: string): Promise<WebSession | null> {
  const [row] = await liveSession(db).execute({ idSha256: sessionHash(id) });
  if (!row) return null;
  return {
    actor: { keyId: row.keyId, id: row.prefix, name: row.name, role: row.role, units: row.units },
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
  };
}

/** Ends a session (sign-out) and records it with the sign-out, together. */
export async function endWebSession(db: Db, id: string, actor: Actor, requestId?: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(webSessions).where(eq(webSessions.idSha256, sessionHash(id)));
    await appendAuditEvent(tx, { actor, action: "web.sign_out", requestId });
  });
}
