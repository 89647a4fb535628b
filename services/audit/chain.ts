import { createHash } from "node:crypto";

/**
 * The audit chain. Each event's hash is
 *
 *   hash = hex(SHA-256(prev_hash || "\n" || canonical(event)))
 *
 * where canonical(event) is the canonical JSON (keys sorted at every depth, no whitespace,
 * undefined omitted) of { v: 1, id, at, actor, role, action, target, details, requestId }
 * with `at` as an ISO 8601 UTC string with milliseconds and absent values as null.
 * The first event's prev_hash is GENESIS_HASH. Recomputing this over the stored rows in id order
 * (GET /v1/audit/verify) shows whether any row was altered, removed or inserted.
 */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedEvent {
  id: number;
  at: Date;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

/** JSON with keys sorted at every depth: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "null";
    return JSON.stringify(value) ?? "null";
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The canonical encoding of one event: the bytes its hash covers after prev_hash and "\n". */
export function canonicalEvent(event: ChainedEvent): string {
  return canonicalJson({
    v: 1,
    id: event.id,
    at: event.at.toISOString(),
    actor: event.actor,
    role: event.role,
    action: event.action,
    target: event.target ?? null,
    details: event.details,
    requestId: event.requestId ?? null,
  });
}

export function eventHash(prevHash: string, event: ChainedEvent): string {
  return createHash("sha256").update(`${prevHash}\n${canonicalEvent(event)}`, "utf8").digest("hex");
}

/**
 * The canonical encoding split around the id, for the database to splice the id in
 * (cts_append_audit_events): head + String(id) + tail === canonicalEvent(event).
 * Keys are sorted, so the top-level "id" stands after "details" and before "requestId"; what
 * follows it holds only JSON strings, null and 1, none of which can contain `,"id":0,` unescaped,
 * so the last occurrence is the top-level key.
 */
export function canonicalAroundId(event: Omit<ChainedEvent, "id">): { head: string; tail: string } {
  const body = canonicalEvent({ ...event, id: 0 });
  const marker = ',"id":0,';
  const at = body.lastIndexOf(marker);
  return { head: body.slice(0, at + marker.length - 2), tail: body.slice(at + marker.length - 1) };
}
