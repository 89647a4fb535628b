import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FairnessEvaluation, FairnessReport } from "../../../models/fairness-schema.js";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { expectProblem } from "../../helpers/problem.js";
import { insertModel, loadDemo, prefixOf, SMALL_PARAMS } from "./model-fixtures.js";
import { type ModelBody, waitForModel } from "../../helpers/training.js";

describe("fairness report stored with each model evaluation, GET /v1/models/:id/fairness, cts models fairness", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let cli: CliTarget;
  let officer: string;
  let auditor: string;
  let model: ModelBody;
  let stored: FairnessEvaluation;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
    await loadDemo(ctx.test.database.db, { files: 5000 });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Fay Officer");
    auditor = await ctx.key("auditor", [], "Aude Auditor");
    cli = await serveForCli(ctx);
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { split: "random", seed: 5, params: SMALL_PARAMS } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    model = await waitForModel(ctx, auditor, id);
    expect(model.status).toBe("trained");
    stored = model.metrics!.fairness as FairnessEvaluation;
  }, 180_000);

  afterAll(async () => {
    await cli?.close();
    await workers?.close();
    await ctx?.close();
  });

  const get = (query: string, key = auditor) => ctx.request("GET", `/v1/models/${model.id}/fairness${query}`, { key });

  it("stores one report per capacity on the validation rows, segmented by the schema's segment attributes and score deciles", () => {
    expect(stored.population).toBe("validation");
    expect(stored.reports.map((r) => r.capacity)).toEqual([0.01, 0.05, 0.1, 0.2]);
    for (const r of stored.reports) {
      expect(r.n).toBe(model.counts!.validation);
      expect(r.positives).toBe(model.counts!.validationPositives);
      expect(r.k).toBe(Math.round(r.capacity * r.n));
      expect(r.attributes.map((a) => a.attribute)).toEqual(["region", "owner_age_band", "score_decile"]);
      for (const a of r.attributes) {
        // Every validation file is in exactly one group; the selection adds up to k.
        expect(a.groups.reduce((s, g) => s + g.n, 0)).toBe(r.n);
        expect(a.groups.reduce((s, g) => s + g.positives, 0)).toBe(r.positives);
        expect(a.groups.reduce((s, g) => s + g.selected, 0)).toBeCloseTo(r.k, 6);
        for (const g of a.groups) {
          expect(g.judgeable).toBe(g.n >= 30 && g.positives >= 5);
          if (g.rates.precision.value !== null) expect(g.rates.precision.value + g.rates.fdr.value!).toBeCloseTo(1, 9);
          if (g.rates.recall.value !== null) expect(g.rates.recall.value + g.rates.fnr.value!).toBeCloseTo(1, 9);
        }
      }
    }
    // The 6 % missing owner age band is a group of its own.
    expect(stored.reports[2].attributes[1].groups.some((g) => g.value === "(missing)")).toBe(true);
  });

  it("agrees with the evaluation's own precision and recall at each capacity (another code path)", () => {
    for (const r of stored.reports) {
      const at = model.metrics!.validation.atCapacity.find((x: { capacity: number }) => x.capacity === r.capacity);
      const region = r.attributes[0];
      const hits = region.groups.reduce((s, g) => s + g.rates.precision.numerator, 0);
      expect(hits / r.k).toBeCloseTo(at.precision, 6);
      expect(hits / r.positives).toBeCloseTo(at.recall, 6);
    }
  });

  it("writes what was flagged into the model.trained audit event", async () => {
    const [event] = await ctx.test.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "model.trained"), eq(auditEvents.target, model.id)));
    const details = event.details as { fairness: { capacity: number; attribute: string; reference: string; flaggedGroups: number; headlineFlags: number; tooSmallGroups: number }[] };
    expect(details.fairness).toHaveLength(8);
    const at10 = stored.reports[2].attributes[0];
    expect(details.fairness).toContainEqual({
      capacity: 0.1,
      attribute: "region",
      reference: at10.reference,
      flaggedGroups: at10.flaggedGroups,
      headlineFlags: at10.headlineFlags,
      tooSmallGroups: at10.tooSmallGroups,
    });
  });

  it("serves the stored report at a capacity, and re-judges it against a chosen reference group", async () => {
    const res = await get("?capacity=0.05");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { capacities: number[]; report: FairnessReport };
    expect(body.capacities).toEqual([0.01, 0.05, 0.1, 0.2]);
    expect(body.report).toEqual(stored.reports[1]);
    expect(((await (await get("")).json()) as { report: FairnessReport }).report).toEqual(stored.reports[2]);

    const regions = stored.reports[2].attributes[0].groups;
    const smallest = regions.reduce((a, b) => (b.n < a.n ? b : a));
    const chosen = (await (await get(`?reference=region:${encodeURIComponent(smallest.value)}`)).json()) as { report: FairnessReport };
    const region = chosen.report.attributes[0];
    expect(region).toMatchObject({ reference: smallest.value, referenceChosen: true });
    const self = region.groups.find((g) => g.value === smallest.value)!;
    for (const m of ["selectionRate", "precision", "fpr", "fnr"] as const) {
      if (self.rates[m].value) expect(self.disparity[m].ratio).toBe(1);
    }
    // The other attribute keeps its default reference.
    expect(chosen.report.attributes[1]).toEqual(stored.reports[2].attributes[1]);
  });

  it("answers problem JSON for a capacity not stored, an unknown group, a model without a report, and a wrong role", async () => {
    const p1 = await expectProblem(await get("?capacity=0.3"), 422);
    expect(JSON.stringify(p1.errors)).toContain("0.01, 0.05, 0.1, 0.2");
    await expectProblem(await get("?reference=region:atlantis"), 422);
    await expectProblem(await get("?reference=planet:mars"), 422);
    await expectProblem(await get("?reference=region"), 422);
    await expectProblem(await get("?capacity=2"), 422);
    const old = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    await expectProblem(await ctx.request("GET", `/v1/models/${old}/fairness`, { key: auditor }), 409);
    await expectProblem(await ctx.request("GET", "/v1/models/00000000-0000-4000-8000-000000000000/fairness", { key: auditor }), 404);
    const inspector = await ctx.key("inspector", ["north"], "Ines Inspector");
    await expectProblem(await get("", inspector), 403);
  });

  it("cts models fairness prints the table, flags and too-small groups; --json the report", async () => {
    const out = (await cli.cts(officer, "models", "fairness", model.id, "--capacity", "0.2")).stdout;
    const r = stored.reports[3];
    expect(out).toContain(`at capacity 20%: top ${r.k} of ${r.n} validation files`);
    expect(out).toMatch(new RegExp(`^region: reference ${r.attributes[0].reference} \\(largest\\)`, "m"));
    for (const g of r.attributes[0].groups) expect(out).toMatch(new RegExp(`^  ${g.value}\\s+${g.n}\\s+${g.positives}\\s`, "m"));
    expect(out).toContain("score_decile (sanity view, 1 = top scores)");
    const json = JSON.parse((await cli.cts(officer, "models", "fairness", model.id, "--json")).stdout);
    expect(json.report).toEqual(stored.reports[2]);
  });
});
