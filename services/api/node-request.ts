import type { IncomingMessage } from "node:http";

/**
 * The Node request under @hono/node-server (its `c.env.incoming`), or undefined elsewhere (tests call
 * app.request, which has no Node request). Streamed imports read it directly: see services/ingest/body.ts.
 */
export const nodeRequest = (env: unknown): IncomingMessage | undefined => {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming;
  return incoming && typeof (incoming as IncomingMessage).pipe === "function" ? (incoming as IncomingMessage) : undefined;
};
