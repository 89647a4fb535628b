import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Queues } from "../../../jobs/queues.js";
import { appendAuditEventAlone } from "../../db/queries/audit-events.js";
import { loadSession, type WebBindings } from "../../web/session.js";
import { authenticate, requireRole } from "../middleware/auth.js";
import type { AppBindings } from "../types.js";

export const QUEUE_DASHBOARD_PATH = "/admin/queues";

/**
 * bull-board for admins at /admin/queues: the queues' counts, jobs, payloads and failures. Behind
 * the API's own key check (`Authorization: Bearer`) or the web app's signed-in session, role admin
 * either way. Read-only: retrying, cleaning or pausing from here would be
 * state changes outside the audit trail, so the queues are in bull-board's read-only mode and any
 * method but GET is refused here as well. Its scripts and styles are served from the installed
 * @bull-board/ui package; the page's only remote asset (a Google Fonts stylesheet) is cut out.
 */
export function queueDashboard(queues: Queues) {
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [queues.diagnostics, queues.training, queues.scoring].map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: "CTS queues" } },
  });
  const app = new Hono<WebBindings>();
  app.use("*", keyOrSession(), requireRole(["admin"]), readOnly(), localAssetsOnly());
  app.route("/", adapter.registerPlugin());
  return app;
}

/**
 * An API key when the request sends one; else the web app's session cookie (HttpOnly, SameSite
 * Strict; the dashboard only reads, so no CSRF token is needed); with neither, the key check's 401.
 */
function keyOrSession(): MiddlewareHandler<WebBindings> {
  const byKey = authenticate() as unknown as MiddlewareHandler<WebBindings>;
  const bySession = loadSession();
  return async (c, next) => {
    if (c.req.header("authorization")) return byKey(c, next);
    return bySession(c, async () => {
      if (c.get("session")) await next();
      else await byKey(c, next);
    });
  };
}

function readOnly(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      throw new HTTPException(405, { message: "the queue dashboard is read-only: change jobs through the API, which audits it" });
    }
    await next();
  };
}

/** Any <link> to a remote stylesheet (the UI's web font): the service must work with no internet. */
const REMOTE_LINK = /<link\b[^>]*href="https?:\/\/[^"]*"[^>]*>/gi;

/**
 * Strips remote links from the dashboard's page and records the page view (the page, not its
 * polling: one event per time an admin opens it).
 */
function localAssetsOnly(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    await next();
    if (!c.res.headers.get("content-type")?.startsWith("text/html")) return;
    const html = (await c.res.text()).replace(REMOTE_LINK, "");
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    c.res = new Response(html, { status: c.res.status, headers });
    await appendAuditEventAlone(c.get("deps").database, { actor: c.get("actor"), action: "admin.queues.view", target: c.req.path, requestId: c.get("requestId") });
  };
}
