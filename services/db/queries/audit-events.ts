import { and, asc, eq, gt, gte, like, lt, type SQL, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { type ChainedEvent, canonicalAroundId, eventHash, GENESIS_HASH } from "../../audit/chain.js";
import type { Database, Db } from "../client.js";
import { GroupCommit } from "../group-commit.js";
import { auditEvents, auditStaged } from "../schema/index.js";

export interface AuditInput {
  actor: Actor;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
}

/**
 * Records one event in the transaction of the state change it describes: the change and its event
 * commit or fail together. The event is staged, and chained by a deferred trigger when the
 * transaction commits (migration 0022): the chain's one lock is then held only for the append and
 * the commit's flush, not across this process's next round trip, and the chain's order is the
 * commit order. Outside a transaction (autocommit) the statement commits at once, chained alike.
 */
export async function appendAuditEvent(db: Db, input: AuditInput): Promise<void> {
  await db.insert(auditStaged).values({ entry: auditEntry(input) });
}

/**
 * Appends an event that goes with no state change of its own (a list read or exported, files
 * pulled), in its own transaction, and resolves once it is durable: `appendAuditEvent` is for an
 * event inside the transaction of the change it records, this one for an event alone. Group commit: the events of concurrent requests join one batch, so
 * N of them cost one chain-lock hold, one statement and one fsync instead of N (see auditBatcher).
 */
export async function appendAuditEventAlone(database: Database, input: AuditInput): Promise<void> {
  if (database.driver === "pglite") {
    await database.db.execute(appendEventsCall([auditEntry(input)]));
    return;
  }
  await auditBatcher(database).submit(auditEntry(input));
}

/**
 * One event as cts_append_audit_events takes it (an element of its array): its columns and its
 * canonical JSON around the id.
 */
export type ChainEntry = Omit<ChainedEvent, "id" | "at"> & { at: string; head: string; tail: string };

export function auditEntry(input: AuditInput): ChainEntry {
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
  return { ...event, at: event.at.toISOString(), ...canonicalAroundId(event) };
}

/** The cts_append_audit_events call for events, chained in array order. */
function appendEventsCall(entries: ChainEntry[]): SQL {
  return sql`select event_id, event_hash from cts_append_audit_events(${JSON.stringify(entries)}::jsonb)`;
}

/** Most events in one append: bounds the statement (≈1 KB per event) and the chain lock's hold. */
const MAX_BATCH = 256;

/**
 * Group commit (services/db/group-commit.ts) of events that go with no state change. Each batch is
 * one statement, its own transaction, committed synchronously: the chain lock is held through one
 * fsync per batch, and every caller in the batch resolves only once its event is on disk.
 */
const auditBatches = new WeakMap<Database, GroupCommit<ChainEntry, void>>();

function auditBatcher(database: Extract<Database, { driver: "postgres" }>): GroupCommit<ChainEntry, void> {
  let batcher = auditBatches.get(database);
  if (!batcher) {
    batcher = new GroupCommit<ChainEntry, void>(
      async (entries) => {
        await database.db.execute(appendEventsCall(entries));
        return entries.map(() => undefined);
      },
      MAX_BATCH,
    );
    auditBatches.set(database, batcher);
  }
  return batcher;
}

export interface AuditEventFilter {
  after?: number;
  limit: number;
  action?: string;
  actor?: string;
  target?: string;
  /** Events at or after this instant (the web app's date range). */
  from?: Date;
  /** Events before this instant. */
  to?: Date;
}

/** Keyset page of events in chain order; `action` may end with `*` to match a family (`model.*`). */
export async function listAuditEvents(db: Db, filter: AuditEventFilter) {
  const conditions = [
    filter.after !== undefined ? gt(auditEvents.id, filter.after) : undefined,
    filter.action
      ? filter.action.endsWith("*")
        ? like(auditEvents.action, `${escapeLike(filter.action.slice(0, -1))}%`)
        : eq(auditEvents.action, filter.action)
      : undefined,
    filter.actor ? eq(auditEvents.actor, filter.actor) : undefined,
    filter.target ? eq(auditEvents.target, filter.target) : undefined,
    filter.from ? gte(auditEvents.at, filter.from) : undefined,
    filter.to ? lt(auditEvents.at, filter.to) : undefined,
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

/** The text matched literally by LIKE: its own % and _ are no wildcards (backslash is LIKE's escape). */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

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
