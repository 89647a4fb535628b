import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { type BackendChoice, selectBackend } from "../../models/backend.js";
import { createRedis, redisEvictionWarning } from "../../jobs/connection.js";
import { createQueues } from "../../jobs/queues.js";
import { createApp } from "../api/app.js";
import type { Config } from "../config.js";
import { SYSTEM_ACTOR } from "../auth/actor.js";
import { createLocalTokens } from "../auth/local-credential.js";
import { type Database, migrateDatabase, openDatabase } from "../db/client.js";
import { auditSigningKey, createAuditCheckpoint } from "../db/queries/audit-checkpoints.js";
import type { Logger } from "../logger.js";
import { startWorkers } from "../worker/worker.js";
import { ensureFirstAdminKey } from "./bootstrap.js";
import { loadDemoIfEmpty } from "./load-demo.js";
import { writeLocalCredential } from "./local-credential-file.js";
import { lockPgliteDir } from "./pglite-lock.js";
import { resolveRedis, StartupError } from "./redis.js";

export const ROLES = ["all", "api", "worker"] as const;
export type ProcessRole = (typeof ROLES)[number];

export interface RunningService {
  /** The API's base URL, when this process serves it. */
  url: string | null;
  backend: BackendChoice;
  /** Graceful stop: no new requests or jobs, running ones finish, connections close. */
  stop(): Promise<void>;
}

/**
 * Starts the API, the workers, or both in this process (DESIGN.md Runtime). Every resource opened
 * here is closed by stop(), in the reverse order.
 */
export async function startService(opts: {
  role: ProcessRole;
  config: Config;
  logger: Logger;
  /** Called once with a newly created first admin key (to print it). */
  onFirstAdminKey?: (key: string) => void;
}): Promise<RunningService> {
  const { role, config, logger } = opts;
  if (!config.DATABASE_URL && role !== "all") {
    throw new StartupError(
      "without DATABASE_URL the embedded PGlite database lives in one process: use --role all, or set DATABASE_URL",
    );
  }
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err }, "error while stopping");
      }
    }
    closers.length = 0;
  };

  try {
    const pgliteDir = resolve(config.DATA_DIR, "db");
    if (!config.DATABASE_URL) {
      mkdirSync(pgliteDir, { recursive: true });
      const release = lockPgliteDir(pgliteDir);
      closers.push(async () => release());
    }
    const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir, maxConnections: config.DATABASE_POOL_MAX });
    closers.push(() => database.close());
    await migrateDatabase(database, config.DATABASE_MIGRATION_URL);
    logger.info({ driver: database.driver }, "database migrated");
    if (config.DATABASE_URL && !config.DATABASE_MIGRATION_URL && config.NODE_ENV === "production") {
      logger.warn(
        "the service migrates as its own login role, which then owns the tables and could drop the append-only triggers: " +
          "set DATABASE_MIGRATION_URL to an owner role and grant only cts_app to DATABASE_URL's role",
      );
    }

    const redisInfo = await resolveRedis(config, logger);
    closers.push(() => redisInfo.stop());
    const redis = createRedis(redisInfo.url);
    redis.on("error", (err) => logger.error({ err: err.message }, "redis connection error"));
    closers.push(() => redis.quit());
    const eviction = await redisEvictionWarning(redis);
    if (eviction) logger.warn(eviction);
    logger.info({ source: redisInfo.source }, "redis connected");

    // Only the single-process mode loads the demo: several API processes starting together on one
    // Postgres would race to load it.
    if (role === "all") {
      await loadDemoIfEmpty(database, { files: config.DEMO_FILES, seed: config.DEMO_SEED, logger });
    }

    const backend = await selectBackend(config.TFJS_BACKEND);
    logger.info({ backend: backend.name, passedOver: backend.tried }, "tfjs backend selected");

    if (role === "all" || role === "worker") {
      const workers = await startWorkers({ database, connection: redis, config, logger: logger.child({ component: "worker" }) });
      closers.push(() => workers.close());
      logger.info({ threads: config.WORKER_THREADS }, "workers started");
    }

    let url: string | null = null;
    if (role === "all" || role === "api") {
      closers.push(startAuditCheckpoints(database, config, logger));
      const firstKey = await ensureFirstAdminKey(database.db);
      if (firstKey) opts.onFirstAdminKey?.(firstKey.key);
      const queues = createQueues(redis, config.QUEUE_PREFIX);
      closers.push(() => queues.close());
      const localTokens = createLocalTokens();
      const app = createApp({ database, redis, queues, config, logger, tfjsBackend: () => backend.name, localTokens });
      const server = await listen(app.fetch, config.HOST, config.PORT);
      closers.push(() => closeServer(server, config.SHUTDOWN_TIMEOUT_S * 1000));
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : config.PORT;
      url = `http://${config.HOST}:${port}`;
      // The CLI on this machine reaches the service through this file (removed first at stop).
      const removeCredential = writeLocalCredential(resolve(config.DATA_DIR), localUrl(config.HOST, port), localTokens);
      closers.push(async () => removeCredential());
      logger.info({ url }, "api listening");
    }
    return { url, backend, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Signs the audit chain's head every AUDIT_CHECKPOINT_INTERVAL_S (0: never) and logs each
 * checkpoint, so the log shipped off this machine holds them too (docs/ARCHITECTURE.md, audit
 * checkpoints). Returns the closer that stops the timer.
 */
function startAuditCheckpoints(database: Database, config: Config, logger: Logger): () => Promise<void> {
  const key = auditSigningKey(config, (path) =>
    logger.warn({ path }, "generated a new audit signing key: keep a copy outside this machine's database backups"),
  );
  logger.info({ keyId: key.keyId, publicKey: key.publicKeyPem }, "audit checkpoints are signed with this key");
  if (config.AUDIT_CHECKPOINT_INTERVAL_S === 0) return async () => {};
  const timer = setInterval(() => {
    createAuditCheckpoint(database.db, key, SYSTEM_ACTOR).then(
      (checkpoint) => logger.info({ checkpoint }, "audit checkpoint"),
      (err: Error) => logger.error({ err: err.message }, "audit checkpoint failed"),
    );
  }, config.AUDIT_CHECKPOINT_INTERVAL_S * 1000);
  timer.unref();
  return async () => clearInterval(timer);
}

function listen(fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolveServer(server));
    server.once("error", reject);
  });
}

/** Stops accepting connections, lets in-flight requests finish, drops idle keep-alives. */
function closeServer(server: ServerType, timeoutMs: number): Promise<void> {
  return new Promise((done) => {
    const http = server as import("node:http").Server;
    const timer = setTimeout(() => http.closeAllConnections?.(), timeoutMs);
    http.close(() => {
      clearTimeout(timer);
      done();
    });
    http.closeIdleConnections?.();
  });
}

/** Where the CLI on this machine calls: loopback when the server listens on every address. */
function localUrl(host: string, port: number): string {
  if (host === "0.0.0.0" || host === "") return `http://127.0.0.1:${port}`;
  if (host === "::") return `http://[::1]:${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
