import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoSchema } from "../../../data/demo/schema.js";
import type { ModelCard } from "../../../services/cards/model-card-schema.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { expectProblem } from "../../helpers/problem.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertModel, loadDemo, prefixOf, SMALL_PARAMS } from "./model-fixtures.js";
import { type ModelBody, waitForModel } from "../../helpers/training.js";

describe("GET /v1/models/:id/card and cts models card: the model's documentation from stored facts", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let cli: CliTarget;
  let officer: string;
  let reviewer: string;
  let auditor: string;
  let model: ModelBody & Record<string, any>;
  let shadowRun: { id: string; drift: { band: string; rows: number } };
  let card: ModelCard;
  let yieldEstimate: { id: string; runId: string; estimate: Record<string, any> };

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm", SCORING_CHUNK_SIZE: "1000" });
    await loadDemo(ctx.test.database.db, { files: 4000 });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Cara Officer");
    reviewer = await ctx.key("data_officer", [], "Rob Reviewer");
    auditor = await ctx.key("auditor", [], "Aldo Auditor");
    cli = await serveForCli(ctx);
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { name: "carded", split: "random", seed: 4, params: SMALL_PARAMS } });
    const { id } = (await res.json()) as { id: string };
    expect((await waitForModel(ctx, officer, id)).status).toBe("trained");
    shadowRun = (await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId: id, shadow: true })).id)) as never;
    const estimated = await ctx.request("GET", `/v1/models/${id}/yield-estimate?capacity=0.1`, { key: officer });
    expect(estimated.status).toBe(200);
    yieldEstimate = (await estimated.json()) as never;
    const approved = await ctx.request("POST", `/v1/models/${id}/approve`, { key: reviewer, json: { justification: "documented and reviewed", override: true } });
    expect(approved.status).toBe(200);
    model = (await (await ctx.request("GET", `/v1/models/${id}`, { key: auditor })).json()) as never;
    const got = await ctx.request("GET", `/v1/models/${id}/card`, { key: auditor });
    expect(got.status).toBe(200);
    card = (await got.json()) as ModelCard;
  }, 180_000);

  afterAll(async () => {
    await cli?.close();
    await workers?.close();
    await ctx?.close();
  });

  const getCard = (query = "", headers?: Record<string, string>) => ctx.request("GET", `/v1/models/${model.id}/card${query}`, { key: auditor, headers });

  it("is the same card on every call, dated by its latest stored fact, even after later runs", async () => {
    expect((await (await getCard()).json()) as ModelCard).toEqual(card);
    expect(card.dated).toBe(model.approvedAt);
    // A run and an estimate after the approval do not change what the card shows at approval time.
    await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId: model.id })).id);
    expect((await ctx.request("GET", `/v1/models/${model.id}/yield-estimate`, { key: officer })).status).toBe(200);
    expect((await (await getCard()).json()) as ModelCard).toEqual(card);
    const md1 = await (await getCard("?format=md")).text();
    const md2 = await (await getCard("", { accept: "text/markdown" })).text();
    expect(md2).toBe(md1);
  });

  it("shows the stored evaluation, calibration and fairness figures unchanged", () => {
    const m = model.metrics!;
    expect(card.evaluation.validation).toEqual({
      n: m.validation.n,
      positives: m.validation.positives,
      aucRoc: m.validation.aucRoc,
      prAuc: m.validation.prAuc,
      brier: m.validation.brier,
      logLoss: m.validation.logLoss,
    });
    expect(card.evaluation.comparisons).toEqual(m.verdict.comparisons.map((c: any) => ({ baseline: c.baseline, beats: c.beats, figures: c.figures })));
    expect(card.evaluation.summary).toEqual(m.verdict.summary);
    expect(card.calibration.bins).toEqual(m.validation.calibration);
    expect(card.calibration.platt).toMatchObject({ a: m.training.calibration.a, b: m.training.calibration.b });
    const stored = m.fairness.reports.find((r: any) => r.capacity === 0.1);
    expect(card.fairness!.k).toBe(stored.k);
    const region = stored.attributes.find((a: any) => a.attribute === "region");
    const cardRegion = card.fairness!.attributes.find((a) => a.attribute === "region")!;
    expect(cardRegion.flaggedGroups).toBe(region.flaggedGroups);
    for (const g of region.groups) {
      expect(cardRegion.groups.find((x) => x.value === g.value)).toMatchObject({
        n: g.n,
        positives: g.positives,
        precision: g.rates.precision.value,
        fpr: g.rates.fpr.value,
        fprRatio: g.disparity.fpr.ratio,
        flags: g.flags,
      });
    }
    expect(card.fairness!.attributes.map((a) => a.attribute)).toEqual(["region", "owner_age_band"]);
  });

  it("documents the training data, features, settings, drift at approval, approval and artifact", () => {
    const m = model.metrics!;
    const s = card.trainingData.summary!;
    expect(s).toEqual(m.data);
    expect(s.rows).toBe(model.counts!.files);
    expect(s.positives).toBe(model.counts!.trainPositives + model.counts!.validationPositives);
    expect(Object.values(s.selection).reduce((a, b) => a + b, 0)).toBe(s.rows);
    expect(s.period.from! <= s.period.to!).toBe(true);
    expect(card.features.map((f) => [f.name, f.role])).toEqual(demoSchema().attributes.map((a) => [a.name, a.role]));
    expect(card.training).toMatchObject({ seed: 4, backend: model.backend, codeVersion: model.codeVersion, ipw: false, stopReason: m.training.stopReason });
    expect(card.drift).toMatchObject({ atApproval: true, runId: shadowRun.id, band: shadowRun.drift.band, rows: shadowRun.drift.rows });
    expect(card.approval).toEqual({ approvedBy: prefixOf(reviewer), approvedAt: model.approvedAt, justification: "documented and reviewed", warningsOverridden: model.approvalWarnings ?? [] });
    expect(card.yieldEstimate).toMatchObject({
      id: yieldEstimate.id,
      runId: yieldEstimate.runId,
      capacity: 0.1,
      controls: yieldEstimate.estimate.controls,
      support: yieldEstimate.estimate.support,
      hitRate: yieldEstimate.estimate.hitRate,
    });
    expect(card.artifact).toEqual({ sha256: model.artifactSha256, dataDigest: model.dataDigest, codeVersion: model.codeVersion });
    expect(card.intendedUse.notFor.length).toBeGreaterThan(0);
  });

  it("renders Markdown with every section and the stored figures", async () => {
    const res = await getCard("?format=md");
    expect(res.headers.get("content-type")).toMatch(/^text\/markdown/);
    const md = await res.text();
    for (const h of ["# Model card: carded", "## Intended use and limits", "## Training data", "## Features and roles", "## Training", "## Evaluation against baselines", "## Calibration", "## Per-segment performance and fairness", "## Drift", "## Yield on past controls (off-policy)", "## Approval and oversight", "## Artifact"]) {
      expect(md).toContain(h);
    }
    expect(md).toContain(`ROC-AUC ${model.metrics!.validation.aucRoc.toFixed(3)}`);
    expect(md).toContain(`SHA-256 \`${model.artifactSha256}\``);
    expect(md).toContain(`At approval: run \`${shadowRun.id}\``);
    expect(md).toContain('"documented and reviewed"');
  });

  it("documents a model trained before fairness, drift and data summaries with what it has, saying what is missing", async () => {
    const old = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer), name: "old" });
    const res = await ctx.request("GET", `/v1/models/${old}/card`, { key: auditor });
    expect(res.status).toBe(200);
    const c = (await res.json()) as ModelCard;
    expect(c).toMatchObject({ fairness: null, drift: null, yieldEstimate: null, approval: null, trainingData: { summary: null } });
    expect(c.evaluation.comparisons.map((x) => x.baseline)).toEqual(["random", "logistic"]);
    const md = await (await ctx.request("GET", `/v1/models/${old}/card?format=md`, { key: auditor })).text();
    expect(md).toContain("No fairness report was stored with this model");
    expect(md).toContain("No scoring run of this model measured drift.");
    expect(md).toContain("Not approved.");
  });

  it("answers 409 for an untrained model, 404 for none, 403 to an inspector, 422 for a bad format", async () => {
    const draft = await insertModel(ctx.test.database.db, { status: "draft", trainedBy: prefixOf(officer) });
    await expectProblem(await ctx.request("GET", `/v1/models/${draft}/card`, { key: auditor }), 409);
    await expectProblem(await ctx.request("GET", "/v1/models/00000000-0000-4000-8000-000000000000/card", { key: auditor }), 404);
    await expectProblem(await getCard("?format=pdf"), 422);
    const inspector = await ctx.key("inspector", ["north"], "Ivo Inspector");
    await expectProblem(await ctx.request("GET", `/v1/models/${model.id}/card`, { key: inspector }), 403);
  });

  it("cts models card prints the Markdown card; --json the JSON card", async () => {
    const md = (await cli.cts(auditor, "models", "card", model.id)).stdout;
    expect(md).toBe(await (await getCard("?format=md")).text());
    expect(JSON.parse((await cli.cts(auditor, "models", "card", model.id, "--json")).stdout)).toEqual(card);
  });
});
