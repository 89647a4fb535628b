import { and, asc, eq, gt, like, type SQL, sql } from "drizzle-orm";
import type { Actor } from "../../auth/actor.js";
import { type ChainedEvent, canonicalAroundId, eventHash, GENESIS_HASH } from "../../audit/chain.js";
import { type Database, type Db, queryRows } from "../client.js";
import { auditEvents } from "../schema/index.js";

export interface AuditInput {
  actor: Actor;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
}

/**
 * Appends one event to the hash chain, in one round trip: cts_append_audit_event (migration 0004)
 * takes the chain's advisory lock, reads the last event, computes the hash from the canonical
 * encoding sent here, and inserts. The lock is held to the end of the transaction, so concurrent
 * requests can never fork the chain. Pass the transaction that makes the state change, so the
 * change and its audit event commit or fail together, and call it last in that transaction.
 */
export async function appendAuditEvent(db: Db, input: AuditInput): Promise<{ id: number; hash: string }> {
  const [row] = await queryRows<{ event_id: string | number; event_hash: string }>(db, appendCall(input));
  return { id: Number(row.event_id), hash: row.event_hash };
}

/**
 * Records an event that goes with no state change (a list read or exported, files pulled). The
 * chain lock is held from the append until its commit; a synchronous commit holds it through an
 * fsync, and a commit sent after the client's round trip holds it through the API's event-loop
 * lag, so every audited read in the service queued behind both. Here the append is one statement
 * (its own transaction) on sessions with synchronous_commit off: the lock is released as soon as
 * the commit record is written. The barrier that follows, a synchronous commit with an xid on the
 * main pool, returns only once the WAL is flushed past it, so the caller still answers only when
 * the event is durable (the same reasoning as services/db/durable-commit.ts).
 */
export async function recordAuditEvent(database: Database, input: AuditInput): Promise<void> {
  if (database.driver === "pglite") {
    await appendAuditEvent(database.db, input);
    return;
  }
  await database.asyncCommitDb.execute(appendCall(input));
  await database.sql`select txid_current()`;
}

/** The cts_append_audit_event call for one event (the canonical encoding split around its id). */
function appendCall(input: AuditInput): SQL {
  const event: Omit<ChainedEvent, "id"> = {
    at: new Date(),
    actor: input.actor.id,
    role: input.actor.role,
    action: input.action,
    target: input.target ?? null,
    // Round-trip through JSON so the hash covers exactly what jsonb gives back to the verifier.
    details: JSON.parse(JSON.stringify(input.details ?? {})),
    requestId: input.requestId ?? null,
  };
  const { head, tail } = canonicalAroundId(event);
  return sql`select event_id, event_hash from cts_append_audit_event(
      ${event.at.toISOString()}::timestamptz, ${event.actor}, ${event.role}, ${event.action}, ${event.target},
      ${JSON.stringify(event.details)}::jsonb, ${event.requestId}, ${head}, ${tail})`;
}

export interface AuditEventFilter {
  after?: number;
  limit: number;
  action?: string;
  actor?: string;
  target?: string;
}

/** Keyset page of events in chain order; `action` may end with `*` to match a family (`model.*`). */
export async function listAuditEvents(db: Db, filter: AuditEventFilter) {
  const conditions = [
    filter.after !== undefined ? gt(auditEvents.id, filter.after) : undefined,
    filter.action
      ? filter.action.endsWith("*")
        ? like(auditEvents.action, `${filter.action.slice(0, -1)}%`)
        : eq(auditEvents.action, filter.action)
      : undefined,
    filter.actor ? eq(auditEvents.actor, filter.actor) : undefined,
    filter.target ? eq(auditEvents.target, filter.target) : undefined,
  ].filter((c) => c !== undefined);
  const rows = await db
    .select()
    .from(auditEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(auditEvents.id))
    .limit(filter.limit + 1);
  const hasMore = rows.length > filter.limit;
  const items = hasMore ? rows.slice(0, filter.limit) : rows;
  return { items, nextAfter: hasMore ? items[items.length - 1].id : null };
}

export interface ChainBreak {
  id: number;
  reason: "hash_mismatch" | "prev_hash_mismatch" | "id_gap";
  storedHash: string;
  expectedHash: string;
}

const VERIFY_PAGE = 5000;

/** Recomputes the whole chain in id order and reports the first link that does not hold. */
export async function verifyAuditChain(db: Db): Promise<{ ok: boolean; checked: number; firstBroken: ChainBreak | null }> {
  let prevHash = GENESIS_HASH;
  let expectedId = 1;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.id, expectedId - 1))
      .orderBy(asc(auditEvents.id))
      .limit(VERIFY_PAGE);
    for (const row of rows) {
      const expectedHash = eventHash(prevHash, row);
      const reason =
        row.id !== expectedId
          ? "id_gap"
          : row.prevHash !== prevHash
            ? "prev_hash_mismatch"
            : row.hash !== expectedHash
              ? "hash_mismatch"
              : null;
      if (reason) {
        return { ok: false, checked, firstBroken: { id: row.id, reason, storedHash: row.hash, expectedHash } };
      }
      prevHash = row.hash;
      expectedId = row.id + 1;
      checked++;
    }
    if (rows.length < VERIFY_PAGE) return { ok: true, checked, firstBroken: null };
  }
}
