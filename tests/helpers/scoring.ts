import { expect } from "vitest";
import type { TestContext } from "./app.js";

/** The JSON of a run as GET /v1/scoring-runs/{id} answers it. */
export interface RunJson {
  id: string;
  status: string;
  totalFiles: number;
  totalChunks: number;
  rootDigest: string | null;
  shadow: boolean;
  error: string | null;
  attempt: number;
  progress?: { chunksDone: number; filesDone: number; filesPerSecond: number; etaSeconds: number | null };
}

/** Polls the run until `until` holds (default: a terminal status), failing after `timeoutMs`. */
export async function waitForRun(
  ctx: TestContext,
  key: string,
  id: string,
  until: (run: RunJson) => boolean = (r) => ["completed", "failed", "cancelled"].includes(r.status),
  timeoutMs = 90_000,
): Promise<RunJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await ctx.request("GET", `/v1/scoring-runs/${id}`, { key });
    expect(res.status).toBe(200);
    const run = (await res.json()) as RunJson;
    if (until(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** POST /v1/scoring-runs, expecting 202; returns the run. */
export async function startRun(ctx: TestContext, key: string, json: unknown): Promise<RunJson> {
  const res = await ctx.request("POST", "/v1/scoring-runs", { key, json });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body as RunJson;
}
