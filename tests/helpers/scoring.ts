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

const TERMINAL = ["completed", "failed", "cancelled"];

/**
 * Follows the run's own event stream (GET /v1/scoring-runs/{id}/events, server-sent events: one
 * `progress` event per step, an `end` event with the terminal state) until `until` holds (default:
 * a terminal status) and returns that state. The stream is the service's signal for every way a
 * run ends (finalized by the worker, failed by a chunk or by the stalled-job watcher, cancelled),
 * so the test sleeps on nothing. Rejects after `timeoutMs` with the last state seen.
 */
export async function waitForRun(
  ctx: TestContext,
  key: string,
  id: string,
  until: (run: RunJson) => boolean = (r) => TERMINAL.includes(r.status),
  timeoutMs = 90_000,
): Promise<RunJson> {
  const res = await ctx.request("GET", `/v1/scoring-runs/${id}/events`, { key });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let last: RunJson | undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  try {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, cut))?.[1];
        buffer = buffer.slice(cut + 2);
        if (data === undefined) continue;
        last = JSON.parse(data) as RunJson;
        if (until(last)) return last;
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  throw new Error(`run ${id} ${timedOut ? `still ${last?.status} after ${timeoutMs} ms` : "stream ended"}: ${JSON.stringify(last)}`);
}

/** POST /v1/scoring-runs, expecting 202; returns the run. */
export async function startRun(ctx: TestContext, key: string, json: unknown): Promise<RunJson> {
  const res = await ctx.request("POST", "/v1/scoring-runs", { key, json });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body as RunJson;
}
