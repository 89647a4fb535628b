import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE } from "../../../jobs/queues.js";
import { TRAIN_MODEL } from "../../../jobs/training.js";
import { createLogger } from "../../../services/logger.js";
import { loadDemoIfEmpty } from "../../../services/runtime/load-demo.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { DRIVERS } from "../../helpers/database.js";
import { jobEnded } from "../../helpers/job-events.js";
import { expectProblem } from "../../helpers/problem.js";
import { SMALL_PARAMS } from "./model-fixtures.js";
import { getModelBody, type ModelBody, waitForModel } from "../../helpers/training.js";

describe.each(DRIVERS)("POST /v1/models trains through the training queue (%s)", (driver) => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let officer: string;
  let auditor: string;
  /** The first training, made before the tests (several read its stored result), and its 202 answer. */
  let first: ModelBody;
  let created: { status: number; body: { id: string; status: string; jobId: string } };
  const progressSeen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ctx = await createTestContext(driver, { TFJS_BACKEND: "wasm" });
    // Through the real ingest path (schema PUT, files and outcomes CSV import), as `npm start` does.
    const loaded = await loadDemoIfEmpty(ctx.test.database, { files: 12_000, seed: 7, logger: createLogger("silent") });
    expect(loaded.outcomes).toBeGreaterThan(1000);
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Ada Officer");
    auditor = await ctx.key("auditor", [], "Aud Itor");
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { name: "first", split: "random", seed: 3, params: SMALL_PARAMS } });
    created = { status: res.status, body: (await res.json()) as { id: string; status: string; jobId: string } };
    first = await waitForModel(ctx, auditor, created.body.id, { progress: (p) => progressSeen.push(p) });
  });

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  it("answers 202 with the model id, shows live progress, and ends trained with metrics and baselines", async () => {
    expect(created.status).toBe(202);
    expect(created.body.status).toBe("draft");
    expect(created.body.jobId).toBe(`train-${created.body.id}`);
    expect(first.error).toBeNull();
    expect(first.status).toBe("trained");
    expect(progressSeen.some((p) => p.phase === "training" && typeof p.epoch === "number" && typeof p.valPrAuc === "number")).toBe(true);
    expect(first.artifactSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.dataDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(first.codeVersion).toMatch(/^0\.1\.0\+/);
    expect(first.backend).toBe("wasm");
    expect(first).not.toHaveProperty("artifact");
    expect(first.counts!.train + first.counts!.validation).toBe(first.counts!.files);
    expect(first.params.split.kind).toBe("random");
    expect(first.metrics!.unbiased.rows).toBe(first.counts!.explorationValidation);
    expect(first.baselines!.champion).toBeNull();
    // The default training is an ensemble: 3 seeds of the given net, 3 of a narrow one, a logistic model.
    const ensemble = first.metrics!.training.ensemble;
    expect(ensemble.members.length + ensemble.skipped).toBe(7);
    expect(ensemble.members[0]).toMatchObject({ group: "given", seed: 3, epochs: first.metrics!.training.history.length });
    expect(Object.values(ensemble.blend as Record<string, number>).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
  });

  it("ends its progress at the epoch training stopped at, says why, and shows the stored figures", () => {
    const t = first.metrics!.training;
    const p = first.progress!;
    expect(p.phase).toBe("done");
    expect(p.stoppedAt).toBe(t.history.length);
    expect(p.epoch).toBe(t.history.length);
    expect(p.stopReason).toBe(t.stopReason);
    expect(["patience", "max-epochs", "budget"]).toContain(p.stopReason);
    expect(p.bestEpoch).toBe(t.bestEpoch);
    expect(p.valAucRoc).toBe(first.metrics!.validation.aucRoc);
    expect(p.valPrAuc).toBe(first.metrics!.validation.prAuc);
    if (p.stopReason === "patience") expect(p.stoppedAt).toBeLessThan(p.maxEpochs as number);
  });

  it("stores a verdict against random and logistic regression, on the validation positives, with curves", () => {
    const v = first.metrics!.verdict;
    expect(v.positives).toBe(first.counts!.validationPositives);
    expect(v.n).toBe(first.counts!.validation);
    expect(v.comparisons.map((c: { baseline: string }) => c.baseline)).toEqual(["random", "logistic"]);
    const auc = v.comparisons[0].figures.find((f: { figure: string }) => f.figure === "aucRoc");
    expect(auc.model.value).toBe(first.metrics!.validation.aucRoc);
    expect(auc.baseline.value).toBe(first.baselines!.random.aucRoc);
    expect(auc.difference.low).toBeLessThanOrEqual(auc.difference.value);
    expect(v.comparisons[0].beats).toBe(true);
    expect(first.metrics!.validation.roc).toHaveLength(101);
    expect(first.metrics!.validation.roc[100]).toEqual({ fpr: 1, tpr: 1 });
    expect(first.metrics!.validation.pr.length).toBeGreaterThan(90);
  });

  it("beats the random baseline by a clear margin on the same validation rows", () => {
    const model = first.metrics!.validation;
    const random = first.baselines!.random;
    expect(model.n).toBe(random.n);
    // The demo truth is interaction-heavy (data/demo/truth.ts): 12,000 files train a small net to about 0.69.
    expect(model.aucRoc).toBeGreaterThan(0.65);
    expect(random.aucRoc).toBeLessThan(0.62);
    expect(model.prAuc).toBeGreaterThan(1.5 * model.baseRate);
    expect(model.prAuc).toBeGreaterThan(random.prAuc + 0.1);
    expect(first.baselines!.logistic.report.n).toBe(model.n);
    expect(first.baselines!.singleFeature.column).toEqual(expect.any(String));
  });

  it("is reproducible: the same data, seed and backend give the same artifact bytes", async () => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { name: "again", split: "random", seed: 3, params: SMALL_PARAMS } });
    const { id } = (await res.json()) as { id: string };
    const again = await waitForModel(ctx, officer, id);
    expect(again.status).toBe("trained");
    expect(again.dataDigest).toBe(first.dataDigest);
    expect(again.artifactSha256).toBe(first.artifactSha256);
  });

  it("weights rows by inverse selection probability when ipw is set", async () => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { split: "random", seed: 3, ipw: true, params: SMALL_PARAMS } });
    const { id } = (await res.json()) as { id: string };
    const weighted = await waitForModel(ctx, officer, id);
    expect(weighted.status).toBe("trained");
    expect(weighted.params.ipw).toBe(true);
    expect(weighted.dataDigest).toBe(first.dataDigest);
    expect(weighted.artifactSha256).not.toBe(first.artifactSha256);
  });

  it("uses the temporal split by default and scores the active model as champion", async () => {
    const other = await ctx.key("data_officer", [], "Bea Second");
    const approve = await ctx.request("POST", `/v1/models/${first.id}/approve`, { key: other, json: { justification: "champion for the challenger test, guard overridden", override: true } });
    expect(approve.status).toBe(200);
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { params: SMALL_PARAMS } });
    const { id } = (await res.json()) as { id: string };
    const challenger = await waitForModel(ctx, officer, id);
    expect(challenger.status).toBe("trained");
    expect(challenger.params.split.kind).toBe("temporal");
    expect(challenger.params.split.validationFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(challenger.baselines!.champion.modelId).toBe(first.id);
    expect(challenger.baselines!.champion.report.n).toBe(challenger.metrics!.validation.n);

    const cmp = await ctx.request("GET", `/v1/models/compare?ids=${first.id},${id}`, { key: auditor });
    expect(cmp.status).toBe(200);
    const body = (await cmp.json()) as { models: { id: string }[]; figures: { figure: string; values: (number | null)[] }[] };
    expect(body.models.map((m) => m.id)).toEqual([first.id, id]);
    const auc = body.figures.find((f) => f.figure === "validation.aucRoc")!;
    expect(auc.values).toEqual([first.metrics!.validation.aucRoc, challenger.metrics!.validation.aucRoc]);
    // Retired again, so that the tests after this one train with no champion, as before it.
    expect((await ctx.request("POST", `/v1/models/${first.id}/retire`, { key: other })).status).toBe(200);
  });

  it("does nothing when the job is delivered again after the model was stored", async () => {
    const before = await getModelBody(ctx, officer, first.id);
    const count = async () => ((await (await ctx.request("GET", "/v1/models", { key: auditor })).json()) as { items: unknown[] }).items.length;
    const models = await count();
    const job = await ctx.queues.training.add(TRAIN_MODEL, { modelId: first.id }, { jobId: `redelivered-${first.id}` });
    const ended = await jobEnded(ctx, QUEUE.training, job.id!, { timeoutMs: 30_000 });
    expect(ended).toMatchObject({ event: "completed", returnvalue: { modelId: first.id, skipped: before.status } });
    const after = await getModelBody(ctx, officer, first.id);
    expect(after).toEqual(before);
    expect(await count()).toBe(models);
  });

  it("answers problem JSON naming the field for a bad request, and 403 to an auditor", async () => {
    const bad = await ctx.request("POST", "/v1/models", {
      key: officer,
      json: { split: "random", validationFrom: "2024-01-01", params: { layers: 99, bogus: 1 } },
    });
    const problem = await expectProblem(bad, 422);
    const paths = problem.errors!.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["validationFrom", "params.layers"]));
    await expectProblem(await ctx.request("POST", "/v1/models", { key: auditor, json: {} }), 403);
    await expectProblem(await ctx.request("GET", "/v1/models/not-a-uuid", { key: auditor }), 422);
    await expectProblem(await ctx.request("GET", "/v1/models/00000000-0000-4000-8000-000000000000", { key: auditor }), 404);
    await expectProblem(await ctx.request("GET", "/v1/models/compare?ids=only-one", { key: auditor }), 422);
  });
});
