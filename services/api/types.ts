import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Redis } from "ioredis";
import type { Queues } from "../../jobs/queues.js";
import type { Actor } from "../auth/actor.js";
import type { LocalTokens } from "../auth/local-credential.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { Logger } from "../logger.js";
import type { ServiceMetrics } from "./metrics.js";

/** What the API needs from the process: passed to createApp, set on every request's context. */
export interface AppDeps {
  database: Database;
  redis: Redis;
  queues: Queues;
  config: Config;
  logger: Logger;
  /** The tfjs backend this process loaded (null until loaded). */
  tfjsBackend: () => string | null;
  /** The local operator's tokens (services/auth/local-credential.ts), when this process serves the CLI. */
  localTokens?: LocalTokens;
  /**
   * The time in ms since the epoch for the sign-in limit's fixed windows (Date.now when absent): a
   * test moves it to end a window instead of waiting for the window to pass.
   */
  now?: () => number;
}

export interface AppBindings {
  Variables: {
    requestId: string;
    logger: Logger;
    deps: AppDeps;
    actor: Actor;
    metrics: ServiceMetrics;
  };
}

export type AppOpenAPI = OpenAPIHono<AppBindings>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
