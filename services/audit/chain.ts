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

export function eventHash(prevHash: string, event: ChainedEvent): string {
  const body = canonicalJson({
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
  return createHash("sha256").update(`${prevHash}\n${body}`, "utf8").digest("hex");
}
