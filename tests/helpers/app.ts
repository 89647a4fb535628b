import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { inject } from "vitest";
import { createRedis } from "../../jobs/connection.js";
import { createQueues, type Queues } from "../../jobs/queues.js";
import { createApp } from "../../services/api/app.js";
import { SYSTEM_ACTOR } from "../../services/auth/actor.js";
import { parseConfig, type Config } from "../../services/config.js";
import { createApiKey } from "../../services/db/queries/api-keys.js";
import type { Role } from "../../services/db/schema/index.js";
import { createLogger, type Logger } from "../../services/logger.js";
import { createTestDatabase, type DRIVERS, type TestDatabase } from "./database.js";

export interface TestContext {
  test: TestDatabase;
  config: Config;
  redis: Redis;
  queues: Queues;
  app: ReturnType<typeof createApp>;
  /** Makes an API key of this role (and units) directly in the database and returns the clear key. */
  key(role: Role, units?: string[], name?: string): Promise<string>;
  /** Calls the app in-process (no socket) as `key`. */
  request(method: string, path: string, opts?: { key?: string; json?: unknown; body?: RequestInit["body"]; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** An Ed25519 key of this test process for audit checkpoints, in a temp file (never in var/). */
let signingKeyFile: string | undefined;
function testSigningKeyFile(): string {
  if (!signingKeyFile) {
    signingKeyFile = join(mkdtempSync(join(tmpdir(), "cts-key-")), "audit-signing-key.pem");
    writeFileSync(signingKeyFile, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  return signingKeyFile;
}

/**
 * The real app on a fresh database (Postgres or PGlite) and the real Redis, with a BullMQ prefix
 * unique to this context, so that concurrent runs never see each other's jobs.
 */
export async function createTestContext(
  driver: (typeof DRIVERS)[number] = "postgres",
  env: Record<string, string> = {},
  opts: { logger?: Logger } = {},
): Promise<TestContext> {
  const test = await createTestDatabase(driver);
  const prefix = `test-${randomUUID()}`;
  const config = parseConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", QUEUE_PREFIX: prefix, AUDIT_SIGNING_KEY_FILE: testSigningKeyFile(), ...env });
  const redis = createRedis(inject("redisUrl"));
  const queues = createQueues(redis, prefix);
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const app = createApp({ database: test.database, redis, queues, config, logger, tfjsBackend: () => "cpu" });
  return {
    test,
    config,
    redis,
    queues,
    app,
    key: async (role, units = [], name = `${role} ${randomUUID().slice(0, 6)}`) =>
      (await createApiKey(test.database.db, { role, units, name }, SYSTEM_ACTOR)).key,
    request: (method, path, opts = {}) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      let body = opts.body;
      if (opts.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(opts.json);
      }
      return Promise.resolve(app.request(path, { method, headers, body }));
    },
    close: async () => {
      await queues.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await test.drop();
    },
  };
}
