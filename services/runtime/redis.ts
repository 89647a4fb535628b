import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";

export const DEFAULT_LOCAL_REDIS = "redis://127.0.0.1:6379";

export class StartupError extends Error {
  override name = "StartupError";
}

/** Answers PING within `ms`, with no retries (we only ask whether a server is there). */
async function answers(url: string, ms = 1000): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: ms, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface ResolvedRedis {
  url: string;
  source: "REDIS_URL" | "local" | "child";
  stop(): Promise<void>;
}

/**
 * Finds a Redis for `npm start` (DESIGN.md Runtime): REDIS_URL if set, else one answering on
 * 127.0.0.1:6379, else a `redis-server` child with its data (AOF) in `${DATA_DIR}/redis`,
 * else a StartupError that says how to get one.
 */
export async function resolveRedis(config: Config, logger: Logger): Promise<ResolvedRedis> {
  const none = async () => {};
  if (config.REDIS_URL) return { url: config.REDIS_URL, source: "REDIS_URL", stop: none };
  if (await answers(DEFAULT_LOCAL_REDIS)) return { url: DEFAULT_LOCAL_REDIS, source: "local", stop: none };

  const dir = resolve(config.DATA_DIR, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = await spawnRedis(config.REDIS_SERVER_BIN, [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir,
    "--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction",
  ]);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(url, 200)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(url))) {
    child.kill("SIGKILL");
    throw new StartupError(`redis-server started but did not answer on ${url}`);
  }
  logger.info({ url, dir, pid: child.pid }, "started a child redis-server");
  return {
    url,
    source: "child",
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

function spawnRedis(bin: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(bin, args, { stdio: "ignore" });
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          error.code === "ENOENT"
            ? `No Redis answers on 127.0.0.1:6379 and "${bin}" is not on the PATH. Set REDIS_URL, or install Redis ` +
              `(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and start again.`
            : `could not start ${bin}: ${error.message}`,
        ),
      ),
    );
    child.once("spawn", () => resolveChild(child));
  });
}
