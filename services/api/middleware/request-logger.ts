import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../../logger.js";
import type { AppBindings, AppDeps } from "../types.js";

/** Puts the deps and a request-scoped pino child on the context, and logs one line per request. */
export function requestContext(deps: AppDeps, logger: Logger): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const started = performance.now();
    c.set("deps", deps);
    c.set("logger", logger.child({ requestId: c.get("requestId") }));
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    if (clientGone(c)) c.get("logger").info({ ...line, status: null, clientClosed: true }, "client disconnected");
    else if (c.res.status >= 500) c.get("logger").error(line, "request");
    else c.get("logger").info(line, "request");
  };
}

/**
 * Whether the client went away before its answer: its socket is closed (node-server), or the
 * request's signal aborted (in-process requests). The socket first, because reading the signal of
 * node-server's light request builds the full Request object, on every request.
 */
function clientGone(c: Context): boolean {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming?.socket) return incoming.socket.destroyed;
  return c.req.raw.signal?.aborted ?? false;
}
