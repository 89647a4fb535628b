import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { Logger } from "../logger.js";

/** What a worker process's processors need; below worker.ts, so processors never import it. */
export interface WorkerDeps {
  database: Database;
  connection: Redis;
  config: Config;
  logger: Logger;
}
