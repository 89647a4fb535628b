import { expect } from "vitest";
import { QUEUE } from "../../jobs/queues.js";
import { trainJobId } from "../../jobs/training.js";
import type { ModelStatus } from "../../services/db/schema/index.js";
import type { TestContext } from "./app.js";
import { jobEnded } from "./job-events.js";

/** The JSON of a model as GET /v1/models/{id} answers it (the fields tests read). */
export type ModelBody = {
  id: string;
  status: ModelStatus;
  error: string | null;
  progress: Record<string, unknown> | null;
  artifactSha256: string | null;
  dataDigest: string | null;
  codeVersion: string | null;
  backend: string | null;
  counts: Record<string, number> | null;
  metrics: Record<string, any> | null;
  baselines: Record<string, any> | null;
  params: Record<string, any>;
  trainedBy: string;
  finishedAt: string | null;
};

/** GET /v1/models/{id}, expecting 200. */
export async function getModelBody(ctx: TestContext, key: string, id: string): Promise<ModelBody> {
  const res = await ctx.request("GET", `/v1/models/${id}`, { key });
  expect(res.status).toBe(200);
  return (await res.json()) as ModelBody;
}

export const finished = (m: ModelBody) => !["draft", "training"].includes(m.status);

/**
 * The model once its training has ended (trained, failed or cancelled): waits for its train-model
 * job's end event (tests/helpers/job-events.ts), then reads it. `progress` receives every progress
 * snapshot the job published on the way, each already stored on the model row.
 */
export async function waitForModel(
  ctx: TestContext,
  key: string,
  id: string,
  { progress, timeoutMs }: { progress?: (p: Record<string, unknown>) => void; timeoutMs?: number } = {},
): Promise<ModelBody> {
  const jobId = trainJobId(id);
  await jobEnded(ctx, QUEUE.training, jobId, {
    timeoutMs,
    seen: (e) => e.jobId === jobId && e.event === "progress" && progress?.(e.data as Record<string, unknown>),
  });
  const model = await getModelBody(ctx, key, id);
  expect(finished(model), `model ${id} is ${model.status} after its job ended`).toBe(true);
  return model;
}
