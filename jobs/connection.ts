import { Redis, type RedisOptions } from "ioredis";

/**
 * Redis connections as BullMQ requires them (bullmq docs: guide/connections, going-to-production):
 * workers block on Redis, so `maxRetriesPerRequest: null`; no ioredis `keyPrefix` (BullMQ has its
 * own `prefix`, set per queue).
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...opts });
}

/** BullMQ loses jobs under eviction; warn when Redis may evict keys. */
export async function redisEvictionWarning(redis: Redis): Promise<string | null> {
  const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
  const policy = reply?.[1];
  return policy && policy !== "noeviction"
    ? `Redis maxmemory-policy is "${policy}": BullMQ needs "noeviction" or jobs can be lost`
    : null;
}
