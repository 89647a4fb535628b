import { getConnInfo } from "@hono/node-server/conninfo";
import type { Actor } from "../auth/actor.js";
import { appendAuditEventAlone } from "../db/queries/audit-events.js";
import type { Role } from "../db/schema/index.js";
import type { WebContext } from "./session.js";

/** Who a refused sign-in is, on the audit trail: nobody is signed in (the role column is text). */
export const ANONYMOUS: Actor = { keyId: null, id: "anonymous", name: "anonymous", role: "anonymous" as Role, units: [] };

/**
 * Slows key guessing through the sign-in form: each client address, and each key prefix typed,
 * may have WEB_SIGN_IN_REFUSALS refused sign-ins per fixed window of WEB_SIGN_IN_WINDOW_MINUTES;
 * past that, every sign-in from that address or for that prefix is answered 429 with Retry-After
 * (the end of the window), without checking the key. The counters live in Redis, shared by every
 * API process, and expire with their window.
 *
 * The audit trail stays bounded: each refusal under the limit is its own `web.sign_in.refused`
 * event, then one `web.sign_in.throttled` event per address (or prefix) and window says how many
 * refusals led to it; the attempts refused while throttled are only counted (the next window's
 * throttled event, if any, carries the count of the window before). So one address writes at
 * most limit + 1 events per window.
 *
 * A prefix is public (it is the key's id on the trail): locking it keeps its owner out of the form
 * for the rest of the window, not out of the API; that is the price of stopping a guess at one key
 * from many addresses.
 */
export interface Throttle {
  retryAfterSeconds: number;
  by: "address" | "prefix";
}

type Subject = { kind: "address" | "prefix"; value: string };

/**
 * The app's Redis connection queues commands while Redis is away (BullMQ wants
 * maxRetriesPerRequest: null), so a sign-in would wait for it forever: the limit gives up after
 * this long and lets the sign-in be checked.
 */
const REDIS_PATIENCE_MS = 500;
const inTime = <T>(work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`Redis gave no answer in ${REDIS_PATIENCE_MS} ms`)), REDIS_PATIENCE_MS).unref())]);

/** The client's address: the socket's, or the proxy's last X-Forwarded-For entry when TRUST_PROXY. */
export function clientAddress(c: WebContext): string {
  if (c.get("deps").config.TRUST_PROXY) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // In-process requests (tests, the benchmark) have no socket.
    return "in-process";
  }
}

const nowOf = (c: WebContext) => (c.get("deps").now ?? Date.now)();

const windowOf = (c: WebContext, now: number) => {
  const ms = c.get("deps").config.WEB_SIGN_IN_WINDOW_MINUTES * 60_000;
  const n = Math.floor(now / ms);
  return { n, ms, from: new Date(n * ms), to: new Date((n + 1) * ms) };
};

const keyOf = (c: WebContext, s: Subject, window: number, what: "refused" | "blocked") =>
  `${c.get("deps").config.QUEUE_PREFIX}:web:sign-in:${what}:${s.kind}:${window}:${s.value}`;

const subjects = (address: string, prefix: string | null): Subject[] => [
  { kind: "address", value: address },
  ...(prefix ? [{ kind: "prefix" as const, value: prefix }] : []),
];

/**
 * Whether this sign-in must be refused unseen: null when it may be checked, else the throttle. The
 * first throttled attempt of a window for an address or prefix writes the one throttled event.
 */
export async function signInThrottle(c: WebContext, prefix: string | null): Promise<Throttle | null> {
  const { redis, config, logger } = c.get("deps");
  const address = clientAddress(c);
  const now = nowOf(c);
  const w = windowOf(c, now);
  try {
    for (const s of subjects(address, prefix)) {
      const refused = Number((await inTime(redis.get(keyOf(c, s, w.n, "refused")))) ?? 0);
      if (refused < config.WEB_SIGN_IN_REFUSALS) continue;
      const blocked = await inTime(redis.multi().incr(keyOf(c, s, w.n, "blocked")).pexpire(keyOf(c, s, w.n, "blocked"), w.ms * 2).exec());
      if (Number(blocked?.[0]?.[1]) === 1) {
        const before = Number((await inTime(redis.get(keyOf(c, s, w.n - 1, "blocked")))) ?? 0);
        await appendAuditEventAlone(c.get("deps").database, {
          actor: ANONYMOUS,
          action: "web.sign_in.throttled",
          details: { [s.kind]: s.value, refusals: refused, windowFrom: w.from.toISOString(), windowTo: w.to.toISOString(), blockedInWindowBefore: before },
          requestId: c.get("requestId"),
        });
      }
      return { retryAfterSeconds: Math.max(1, Math.ceil((w.to.getTime() - now) / 1000)), by: s.kind };
    }
  } catch (error) {
    // Redis away or slow: the form stays usable (each refusal is still audited); the limit returns with Redis.
    logger.warn({ err: error }, "sign-in limit unavailable");
  }
  return null;
}

/** Counts a refused sign-in against its address and the prefix typed (if the key looked like one). */
export async function countRefusal(c: WebContext, prefix: string | null): Promise<void> {
  const { redis, logger } = c.get("deps");
  const w = windowOf(c, nowOf(c));
  try {
    const tx = redis.multi();
    for (const s of subjects(clientAddress(c), prefix)) tx.incr(keyOf(c, s, w.n, "refused")).pexpire(keyOf(c, s, w.n, "refused"), w.ms);
    await inTime(tx.exec());
  } catch (error) {
    logger.warn({ err: error }, "sign-in limit unavailable");
  }
}
