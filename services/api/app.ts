import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { DomainError } from "../errors.js";
import { QUEUE_DASHBOARD_PATH, queueDashboard } from "./admin/queue-dashboard.js";
import { authenticate } from "./middleware/auth.js";
import { createMetrics, metricsHandler } from "./metrics.js";
import { jsonBodyGuard } from "./middleware/json-body.js";
import { requestContext } from "./middleware/request-logger.js";
import { errorHandler, notFoundHandler } from "./problem.js";
import { createRouter } from "./router.js";
import { apiKeysRouter } from "./routes/api-keys/api-keys.index.js";
import { auditRouter } from "./routes/audit/audit.index.js";
import { controlListsRouter } from "./routes/control-lists/control-lists.index.js";
import { filesRouter } from "./routes/files/files.index.js";
import { healthRouter } from "./routes/health/health.index.js";
import { modelsRouter } from "./routes/models/models.index.js";
import { scoringRunsRouter } from "./routes/scoring-runs/scoring-runs.index.js";
import { outcomesRouter } from "./routes/outcomes/outcomes.index.js";
import { schemaRouter } from "./routes/schema/schema.index.js";
import { unitsRouter } from "./routes/units/units.index.js";
import type { AppDeps } from "./types.js";
import { createWebApp } from "../web/app.js";

/** Routers mounted under /v1; each later resource adds itself here. */
const V1_ROUTERS = [apiKeysRouter, auditRouter, modelsRouter, controlListsRouter, schemaRouter, filesRouter, outcomesRouter, scoringRunsRouter, unitsRouter];

/** Paths whose bodies are streamed and limited by IMPORT_LIMIT_BYTES instead of BODY_LIMIT_BYTES. */
const STREAMED_PATH = /\/import$/;

/** The whole HTTP API; the order of the middleware is the order they run. */
export function createApp(deps: AppDeps) {
  const app = createRouter();
  const metrics = createMetrics({ db: deps.database.db, queues: deps.queues });
  app.use(requestId());
  app.use(requestContext(deps, deps.logger));
  app.use(metrics.middleware);
  app.use(async (c, next) => {
    c.set("metrics", metrics);
    await next();
  });
  app.use(secureHeaders());
  const limitBody = bodyLimit({
    maxSize: deps.config.BODY_LIMIT_BYTES,
    onError: () => {
      throw new DomainError("payload_too_large", `request bodies are limited to ${deps.config.BODY_LIMIT_BYTES} bytes`);
    },
  });
  app.use("/v1/*", async (c, next) => {
    // GET and HEAD carry no body; asking for one would turn node-server's light request into a
    // full one (about a tenth of a read's CPU).
    if (c.req.method === "GET" || c.req.method === "HEAD" || STREAMED_PATH.test(c.req.path)) return next();
    return limitBody(c, next);
  });

  app.route("/", healthRouter);
  app.get("/metrics", metricsHandler(metrics, deps.config.METRICS_TOKEN));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key: `Authorization: Bearer cts_…`",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Control Targeting Service",
      version: "1",
      description: "Ranks open files for control, with the reasons for every pick and a verifiable audit trail.",
      // OpenAPI 3.1 license identifier (SPDX); the generator types know only 3.0 fields.
      license: { name: "Proprietary: for the administration that operates it", identifier: "LicenseRef-Proprietary" } as { name: string },
    },
    servers: [{ url: "/", description: "This service (the document is served by the API it describes)" }],
  });

  app.route(QUEUE_DASHBOARD_PATH, queueDashboard(deps.queues));

  app.use("/v1/*", authenticate());
  app.use("/v1/*", jsonBodyGuard());
  for (const router of V1_ROUTERS) app.route("/v1", router);

  // The web app (pages, their assets and /docs): outside /v1, behind its own sessions.
  app.route("/", createWebApp());

  app.notFound(notFoundHandler);
  app.onError(errorHandler);
  return app;
}
