import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { auditEvents, outcomes, yieldEstimates } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertModel, loadDemo, prefixOf, SMALL_PARAMS } from "./model-fixtures.js";
import { waitForModel } from "../../helpers/training.js";

type Body = {
  id: string;
  runId: string;
  excluded: { manual: number; withoutPropensity: number };
  estimate: {
    controls: number;
    k: number;
    populationSize: number;
    support: { controls: number; positives: number; thin: boolean };
    pastHitRate: number;
    hitRate: Record<"ips" | "snips" | "dr" | "naive", { value: number | null; low: number | null; high: number | null }>;
    warnings: string[];
  };
};

describe("GET /v1/models/:id/yield-estimate: off-policy estimates from logged controls, stored and audited", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let officer: string;
  let auditor: string;
  let modelId: string;
  let runId: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
    await loadDemo(ctx.test.database.db, { files: 3000 });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Yan Officer");
    auditor = await ctx.key("auditor", [], "Yara Auditor");
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { split: "random", seed: 6, params: SMALL_PARAMS } });
    modelId = ((await res.json()) as { id: string }).id;
    expect((await waitForModel(ctx, officer, modelId)).status).toBe("trained");
    runId = (await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId, shadow: true })).id)).id;
  }, 180_000);

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  const get = (query = "?capacity=0.1", key = auditor) => ctx.request("GET", `/v1/models/${modelId}/yield-estimate${query}`, { key });

  /** The controls the estimate may use, counted in SQL: model or exploration picks with a probability. */
  const usable = () =>
    queryRows<{ n: number; hits: number; manual: number }>(
      ctx.test.database.db,
      sql`select count(*) filter (where selected_by in ('model', 'exploration') and selection_probability is not null)::int as n,
                 coalesce(sum(outcome) filter (where selected_by in ('model', 'exploration') and selection_probability is not null), 0)::int as hits,
                 count(*) filter (where selected_by = 'manual')::int as manual
          from outcomes`,
    );

  it("on the demo's few exploration controls: an estimate with a thin-support warning; manual picks excluded and counted", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    const [counts] = await usable();
    expect(body.runId).toBe(runId);
    expect(body.estimate.controls).toBe(counts.n);
    expect(body.excluded.manual).toBe(counts.manual);
    expect(counts.manual).toBeGreaterThan(0);
    expect(body.estimate.pastHitRate).toBeCloseTo(counts.hits / counts.n, 12);
    expect(body.estimate.populationSize).toBe(3000);
    expect(body.estimate.k).toBe(300);
    expect(body.estimate.support.thin).toBe(true);
    expect(body.estimate.warnings[0]).toMatch(/^thin support/);
  });

  it("with logged model picks and exploration: every estimate with its interval, stored as answered and audited", async () => {
    // A past list: the 400 files with the largest amount at stake (probability 1), and 1 in 8 of the rest explored.
    const files = await queryRows<{ id: string; unit: string; stake: number }>(ctx.test.database.db, sql`select id, unit, (attributes->>'amount_at_stake')::float8 as stake from files order by 3 desc, 1`);
    let i = 0;
    const rows = files.flatMap((f, rank) => {
      const explored = rank >= 400 && i++ % 8 === 0;
      if (rank >= 400 && !explored) return [];
      const outcome = (rank * 7919) % 10 < (rank < 400 ? 3 : 1) ? 1 : 0;
      return [{ fileId: f.id, unit: f.unit, controlledAt: "2026-06-01", outcome, amount: outcome ? 1000 : null, selectedBy: rank < 400 ? ("model" as const) : ("exploration" as const), selectionProbability: rank < 400 ? 1 : 1 / 8, recordedBy: "test" }];
    });
    await ctx.test.database.db.insert(outcomes).values(rows);
    const res = await get("?capacity=0.2");
    const body = (await res.json()) as Body;
    const [counts] = await usable();
    expect(body.estimate.controls).toBe(counts.n);
    // Many more controls now fall in the list; the demo's 1-in-250 exploration picks still weigh
    // heavily, so the effective size (not the count) decides whether support is thin.
    const support = body.estimate.support as Body["estimate"]["support"] & { effectiveSize: number };
    expect(support.controls).toBeGreaterThan(50);
    expect(support.thin).toBe(support.controls < 30 || support.effectiveSize < 30 || support.positives < 5);
    for (const k of ["ips", "snips", "dr", "naive"] as const) {
      const e = body.estimate.hitRate[k];
      expect(e.low!).toBeLessThanOrEqual(e.value!);
      expect(e.value!).toBeLessThanOrEqual(e.high!);
    }
    const [stored] = await ctx.test.database.db.select().from(yieldEstimates).where(eq(yieldEstimates.id, body.id));
    expect(stored.estimate).toEqual(body.estimate);
    expect(stored).toMatchObject({ modelId, runId, capacity: 0.2, requestedBy: prefixOf(auditor) });
    const events = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, "model.yield_estimate"));
    const event = events.find((e) => (e.details as { estimateId: string }).estimateId === body.id)!;
    expect(event.target).toBe(modelId);
    expect((event.details as { hitRate: { dr: number } }).hitRate.dr).toBe(body.estimate.hitRate.dr.value);
    // Kept as produced: the database refuses to change it.
    const refused = await ctx.test.database.db
      .update(yieldEstimates)
      .set({ capacity: 0.5 })
      .where(eq(yieldEstimates.id, body.id))
      .then(
        () => "not refused",
        (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ""}`,
      );
    expect(refused).toMatch(/yield_estimates is append-only/);

    // The comparison shows the latest estimate beside a model that has none.
    const other = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    const cmp = (await (await ctx.request("GET", `/v1/models/compare?ids=${modelId},${other}`, { key: auditor })).json()) as {
      figures: { figure: string; values: (number | null)[] }[];
      pastControls: string[];
    };
    const dr = body.estimate.hitRate.dr;
    expect(cmp.figures.find((f) => f.figure === "pastControls.hitRate.dr")!.values).toEqual([dr.value, null]);
    expect(cmp.figures.find((f) => f.figure === "pastControls.capacity")!.values).toEqual([0.2, null]);
    expect(cmp.pastControls).toHaveLength(1);
    const pct = (x: number | null) => `${Math.round(x! * 1000) / 10}%`;
    expect(cmp.pastControls[0]).toContain(`on past controls, model ${modelId} would have found ${pct(dr.value)} (${pct(dr.low)} to ${pct(dr.high)}) with a list of 20% of files`);
  });

  it("answers 409 for a model never scored, 422 for a bad capacity, 403 to an inspector, 404 for no model", async () => {
    const unscored = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    const p = await expectProblem(await ctx.request("GET", `/v1/models/${unscored}/yield-estimate`, { key: officer }), 409);
    expect(p.detail).toMatch(/shadow run/);
    await expectProblem(await get("?capacity=0"), 422);
    await expectProblem(await get("?capacity=1.5"), 422);
    await expectProblem(await get("", await ctx.key("inspector", ["north"], "Ilse Inspector")), 403);
    await expectProblem(await ctx.request("GET", "/v1/models/00000000-0000-4000-8000-000000000000/yield-estimate", { key: officer }), 404);
  });
});
