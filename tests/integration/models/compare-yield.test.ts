import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { outcomes } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { addScoringRun, buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn } from "../../helpers/web.js";
import { insertModel, prefixOf } from "./model-fixtures.js";

type Interval = { value: number | null; low: number | null; high: number | null };
type Estimate = { hitRate: Record<"dr", Interval>; support: { controls: number; positives: number; effectiveSize: number; thin: boolean } };
type Compared = { modelId: string; estimateId: string; madeNow: boolean; capacity: number; estimate: Estimate };
type Comparison = {
  pastControls: string[];
  figures: { figure: string; values: (number | null)[] }[];
  yieldEstimates: { capacity: number; activeModelId: string | null; models: (Compared | null)[]; active: Compared | null };
};

/**
 * 600 files of one unit; the active model (the population builder's) and a challenger that ranks
 * them differently, each with a completed run. A past list: the active model's top 60 (probability
 * 1) and 120 exploration picks of the other 540 (probability 120/540), outcomes planted so that the
 * challenger's top files are the irregular ones.
 */
describe("GET /v1/models/compare: what each model would have found on past controls, against the active model", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  let challenger: string;
  let unscored: string;
  let officer: string;
  const challengerScore = (i: number) => ((i * 4813) % 600) / 600 + 0.0005;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    const db = ctx.test.database.db;
    pop = await buildScoredPopulation(db, { units: { north: 600 } });
    officer = await ctx.key("data_officer", [], "Cora Officer");
    challenger = await insertModel(db, { status: "trained", trainedBy: prefixOf(officer), name: "challenger" });
    unscored = await insertModel(db, { status: "trained", trainedBy: prefixOf(officer), name: "never scored" });
    await addScoringRun(db, challenger, pop.files, { shadow: true, scoreOf: (_f, i) => challengerScore(i) });
    const byActive = pop.files.map((f, i) => ({ f, i })).sort((a, b) => b.f.score - a.f.score);
    const picks = [
      ...byActive.slice(0, 60).map((x) => ({ ...x, selectedBy: "model" as const, p: 1 })),
      ...byActive
        .slice(60)
        .filter((_, j) => j % 9 < 2)
        .map((x) => ({ ...x, selectedBy: "exploration" as const, p: 120 / 540 })),
    ];
    await db.insert(outcomes).values(
      picks.map((x) => ({
        fileId: x.f.id,
        unit: x.f.unit,
        controlledAt: "2026-03-02",
        outcome: challengerScore(x.i) > 0.7 ? 1 : x.i % 5 === 0 ? 1 : 0,
        selectedBy: x.selectedBy,
        selectionProbability: x.p,
        recordedBy: "test",
      })),
    );
  });
  afterAll(() => ctx?.close());

  const compare = async (query: string) => {
    const res = await ctx.request("GET", `/v1/models/compare?${query}`, { key: officer });
    expect(res.status).toBe(200);
    return (await res.json()) as Comparison;
  };
  const pct = (x: number | null) => `${Math.round(x! * 1000) / 10}%`;
  const events = async () => (await queryRows<{ n: number }>(ctx.test.database.db, sql`select count(*)::int as n from audit_events where action = 'model.yield_estimate'`))[0].n;

  it("makes the missing estimates (stored, audited) and says: model A would have found X% (lo to hi) against Y% for the active model", async () => {
    const cmp = await compare(`ids=${challenger},${unscored}&capacity=0.2`);
    expect(cmp.yieldEstimates).toMatchObject({ capacity: 0.2, activeModelId: pop.modelId });
    const [mine, none] = cmp.yieldEstimates.models;
    expect(none).toBeNull();
    expect(mine).toMatchObject({ modelId: challenger, madeNow: true, capacity: 0.2 });
    expect(cmp.yieldEstimates.active).toMatchObject({ modelId: pop.modelId, madeNow: true });
    expect(await events()).toBe(2);

    // The same estimate as the model's own endpoint gives (deterministic for the data and seed).
    const own = (await (await ctx.request("GET", `/v1/models/${challenger}/yield-estimate?capacity=0.2`, { key: officer })).json()) as { estimate: Estimate };
    expect(own.estimate.hitRate.dr).toEqual(mine!.estimate.hitRate.dr);
    const dr = mine!.estimate.hitRate.dr;
    const act = cmp.yieldEstimates.active!.estimate;
    expect(cmp.pastControls).toHaveLength(1);
    expect(cmp.pastControls[0]).toContain(
      `on past controls, model ${challenger} would have found ${pct(dr.value)} (${pct(dr.low)} to ${pct(dr.high)}) with a list of 20% of files, ` +
        `against ${pct(act.hitRate.dr.value)} (${pct(act.hitRate.dr.low)} to ${pct(act.hitRate.dr.high)}) for the active model ${pop.modelId}`,
    );
    const s = mine!.estimate.support;
    expect(cmp.pastControls[0]).toContain(`${s.controls} past controls in its list (effective ${s.effectiveSize.toFixed(1)}), ${s.positives} positives`);
    expect(cmp.pastControls[0].includes("thin support: not to be trusted")).toBe(s.thin);
    // The planted outcomes favour the challenger's ranking.
    expect(dr.value!).toBeGreaterThan(act.hitRate.dr.value!);
    expect(cmp.figures.find((f) => f.figure === "pastControls.support.controls")!.values).toEqual([s.controls, null]);
  });

  it("uses the stored estimates the next time (nothing new written), and their capacity when none is asked", async () => {
    const before = await events();
    const cmp = await compare(`ids=${challenger},${pop.modelId}`);
    expect(cmp.yieldEstimates.capacity).toBe(0.2);
    expect(cmp.yieldEstimates.models.map((m) => m?.madeNow)).toEqual([false, false]);
    expect(await events()).toBe(before);
    // The active model's own line says so rather than comparing it with itself.
    expect(cmp.pastControls[1]).toMatch(new RegExp(`^on past controls, model ${pop.modelId} would have found .* with a list of 20% of files \\(the active model\\); `));
  });

  it("the web compare page shows the same sentences", async () => {
    const page = await (await webSignIn(ctx, officer)).get(`/app/models/compare?id=${challenger}&id=${pop.modelId}&capacity=0.2`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const cmp = await compare(`ids=${challenger},${pop.modelId}&capacity=0.2`);
    expect(html).toContain("On past controls, at 20 % of files");
    expect(html).toContain(cmp.pastControls[0]);
  });
});
