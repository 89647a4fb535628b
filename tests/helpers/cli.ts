import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import type { TestContext } from "./app.js";

const run = promisify(execFile);
// The sources via tsx, not bin/cts.js: that prefers dist/, which may be an older build.
export const CLI = resolve(import.meta.dirname, "../../services/cli/index.ts");

export interface CliTarget {
  /** The served app's base URL. */
  url: string;
  /** Runs `cts …args` against the served app as `key`; rejects with code, stdout, stderr on a non-zero exit. */
  cts(key: string, ...args: string[]): Promise<{ stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** Serves the test context's app on a free local port, for CLI commands that call the HTTP API. */
export async function serveForCli(ctx: TestContext): Promise<CliTarget> {
  const server = serve({ fetch: ctx.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cts: (key, ...args) =>
      run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, CTS_URL: url, CTS_API_KEY: key, LOG_LEVEL: "silent" } }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
