import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FairnessReport } from "../../../models/fairness-schema.js";
import { queryRows } from "../../../services/db/client.js";
import { featureSchemas, outcomes, scoringRuns } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { webSignIn } from "../../helpers/web.js";
import { buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";

type RunFairness = { runId: string; modelId: string; population: string; report: FairnessReport };
type ListFairness = { listId: string; unit: string; picks: Record<string, number>; report: FairnessReport };

/**
 * 120 files: north 90, south 30, regions by position (coast, hills, city, …), so each region has 30
 * north and 10 south files. Scores put north's coast files first (0.9 − k/1000), then north's
 * others, then south. Past outcomes (2019-2020, so no file is ineligible for a list): coast
 * north-00000 … 00015 positive (00000's earlier negative is overridden by its latest), 00018 … 00027
 * negative, 00057 positive (not selected at 15 %); hills 00001, 00004 positive, 00007, 00010, 00013
 * negative. Every expected figure below is worked out by hand from these.
 */
describe("fairness of a scoring run and of a control list", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  let officer: string;
  let auditor: string;
  let admin: string;
  let northInspector: string;
  let southInspector: string;
  let listId: string;
  let cli: CliTarget;

  const REGION = ["coast", "hills", "city"];
  const scoreOf = (i: number) => (i < 90 ? (i % 3 === 0 ? 0.9 : 0.5) - i / 1000 : 0.1 - (i - 90) / 1000);
  const north = (k: number) => `north-${String(k).padStart(5, "0")}`;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    const db = ctx.test.database.db;
    pop = await buildScoredPopulation(db, { units: { north: 90, south: 30 }, scoreOf, schema: false });
    await db.insert(featureSchemas).values({
      version: 1,
      definition: {
        attributes: [
          { name: "region", type: "categorical", role: "segment", missing: "allow" },
          { name: "amount", type: "numeric", role: "feature", missing: "allow" },
        ],
        amountAttribute: "amount",
      },
      createdBy: "test",
    });
    const past = (k: number, outcome: number, controlledAt = "2020-06-01") => ({ fileId: north(k), unit: "north", controlledAt, outcome, selectedBy: "unknown" as const, recordedBy: "test" });
    await db.insert(outcomes).values([
      past(0, 0, "2019-01-01"),
      ...[0, 3, 6, 9, 12, 15, 57, 1, 4].map((k) => past(k, 1)),
      ...[18, 21, 24, 27, 7, 10, 13].map((k) => past(k, 0)),
    ]);
    officer = await ctx.key("data_officer");
    auditor = await ctx.key("auditor");
    admin = await ctx.key("admin");
    northInspector = await ctx.key("inspector", ["north"]);
    southInspector = await ctx.key("inspector", ["south"]);
    const res = await ctx.request("POST", "/v1/control-lists", { key: northInspector, json: { unit: "north", capacity: 6, explorationShare: 0 } });
    expect(res.status).toBe(201);
    listId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await cli?.close();
    await ctx?.close();
  });

  const region = (r: FairnessReport) => r.attributes.find((a) => a.attribute === "region")!;
  const group = (r: FairnessReport, v: string) => region(r).groups.find((g) => g.value === v)!;

  it("GET /v1/scoring-runs/{id}/fairness selects the top 15 % and rates outcomes over the labelled files (200)", async () => {
    const res = await ctx.request("GET", `/v1/scoring-runs/${pop.runId}/fairness?capacity=0.15&reference=region:coast`, { key: officer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RunFairness;
    expect(body).toMatchObject({ runId: pop.runId, modelId: pop.modelId, population: "scoring-run" });
    expect(body.report).toMatchObject({ k: 18, n: 120, positives: 9, labels: { scope: "population", labelled: 16 } });
    expect(region(body.report)).toMatchObject({ reference: "coast", referenceChosen: true });
    expect(region(body.report).groups.map((g) => [g.value, g.n, g.selected])).toEqual([["city", 40, 0], ["coast", 40, 18], ["hills", 40, 0]]);
    const coast = group(body.report, "coast");
    expect(coast).toMatchObject({ labelled: 11, positives: 7, judgeable: true });
    expect(coast.rates.selectionRate.value).toBeCloseTo(0.45, 12);
    expect(coast.rates.selectionRate.low).toBeCloseTo(0.3070530781090492, 9);
    expect(coast.rates.selectionRate.high).toBeCloseTo(0.6017090820106794, 9);
    expect(coast.baseRate.value).toBeCloseTo(7 / 11, 12);
    expect(coast.rates.precision.value).toBeCloseTo(0.6, 12);
    expect(coast.rates.precision.low).toBeCloseTo(0.31267376973365824, 9);
    expect(coast.rates.precision.high).toBeCloseTo(0.8318196702937638, 9);
    expect(coast.rates.fdr.value).toBeCloseTo(0.4, 12);
    expect(coast.rates.fpr.value).toBeCloseTo(1, 12);
    expect(coast.rates.fnr.value).toBeCloseTo(1 / 7, 12);
    expect(coast.rates.recall.value).toBeCloseTo(6 / 7, 12);
    const hills = group(body.report, "hills");
    expect(hills).toMatchObject({ labelled: 5, positives: 2, judgeable: false });
    expect(hills.rates.fpr.value).toBe(0);
    expect(hills.rates.fnr.value).toBe(1);
    // Selection 0 against 0.45: judged on files alone (40 and 40), flagged; outcome rates not judged (2 positives).
    expect(hills.disparity.selectionRate).toEqual({ ratio: 0, flagged: true });
    expect(hills.flags).toEqual(["selectionRate"]);
    expect(body.report.attributes.map((a) => a.attribute)).toEqual(["region", "score_decile"]);

    const [event] = await queryRows<{ actor: string; details: Record<string, unknown> }>(
      ctx.test.database.db,
      sql`select actor, details from audit_events where action = 'scoring_run.fairness.read' and target = ${pop.runId}`,
    );
    // The figures as produced are stored with the read, in the chain (they move as outcomes arrive).
    expect(event.details).toEqual({ capacity: 0.15, files: 120, labelled: 16, reference: "region:coast", report: JSON.parse(JSON.stringify(body.report)) });
  });

  it("defaults to 10 % and the largest group; auditors and admins read it too", async () => {
    for (const key of [auditor, admin]) {
      const res = await ctx.request("GET", `/v1/scoring-runs/${pop.runId}/fairness`, { key });
      expect(res.status).toBe(200);
      const { report } = (await res.json()) as RunFairness;
      expect(report).toMatchObject({ capacity: 0.1, k: 12 });
      // Three groups of 40: the first in natural order is the reference.
      expect(region(report)).toMatchObject({ reference: "city", referenceChosen: false });
    }
  });

  it("refuses inspectors (403), an unknown reference (422) and a run not completed (409)", async () => {
    await expectProblem(await ctx.request("GET", `/v1/scoring-runs/${pop.runId}/fairness`, { key: northInspector }), 403);
    const reads = async () =>
      (await queryRows<{ n: number }>(ctx.test.database.db, sql`select count(*)::int as n from audit_events where action = 'scoring_run.fairness.read'`))[0].n;
    const before = await reads();
    await expectProblem(await ctx.request("GET", `/v1/scoring-runs/${pop.runId}/fairness?reference=region:moon`, { key: officer }), 422);
    expect(await reads()).toBe(before);
    const [running] = await ctx.test.database.db
      .insert(scoringRuns)
      .values({ id: crypto.randomUUID(), modelId: pop.modelId, scope: {}, status: "running", requestedBy: "test" })
      .returning();
    await expectProblem(await ctx.request("GET", `/v1/scoring-runs/${running.id}/fairness`, { key: officer }), 409);
  });

  it("GET /v1/control-lists/{id}/fairness: the picks against the unit's scored files, hit rate once outcomes are recorded (200)", async () => {
    const before = (await (await ctx.request("GET", `/v1/control-lists/${listId}/fairness?reference=region:coast`, { key: auditor })).json()) as ListFairness;
    expect(before).toMatchObject({ listId, unit: "north", picks: { model: 6, exploration: 0, manual: 0, outsideRun: 0 } });
    expect(before.report).toMatchObject({ k: 6, n: 90, positives: 0, labels: { scope: "selection", labelled: 0 } });
    expect(region(before.report).groups.map((g) => [g.value, g.n, g.selected])).toEqual([["city", 30, 0], ["coast", 30, 6], ["hills", 30, 0]]);
    expect(group(before.report, "coast").rates.selectionRate.value).toBeCloseTo(0.2, 12);
    expect(group(before.report, "coast").rates.selectionRate.low).toBeCloseTo(0.0950510717728987, 9);
    expect(group(before.report, "hills").disparity.selectionRate).toEqual({ ratio: 0, flagged: true });
    expect(group(before.report, "coast").rates.precision.value).toBeNull();

    for (const [k, outcome] of [[0, 1], [3, 1], [6, 0], [9, 1]]) {
      const res = await ctx.request("POST", `/v1/control-lists/${listId}/items/${north(k)}/outcome`, { key: northInspector, json: { outcome } });
      expect(res.status).toBe(201);
    }
    const res = await ctx.request("GET", `/v1/control-lists/${listId}/fairness`, { key: officer });
    expect(res.status).toBe(200);
    const after = (await res.json()) as ListFairness;
    const coast = group(after.report, "coast");
    // Only the list's own outcomes count (not the files' 2020 controls): 3 hits of 4.
    expect(coast).toMatchObject({ labelled: 4, positives: 3 });
    expect(coast.rates.precision.value).toBeCloseTo(0.75, 12);
    expect(coast.rates.precision.low).toBeCloseTo(0.30064184258240184, 9);
    expect(coast.rates.precision.high).toBeCloseTo(0.9544127391902995, 9);
    expect(coast.rates.fdr.value).toBeCloseTo(0.25, 12);
    expect(coast.rates.fpr.value).toBeNull();
    expect(coast.rates.recall.value).toBeNull();
    const events = await queryRows<{ details: Record<string, unknown> }>(
      ctx.test.database.db,
      sql`select details from audit_events where action = 'control_list.fairness.read' and target = ${listId} order by id`,
    );
    expect(events.map((e) => e.details.labelled)).toEqual([0, 4]);
    expect(events.map((e) => e.details.report)).toEqual(JSON.parse(JSON.stringify([before.report, after.report])));
    // Reports with their floats, nulls and nested groups still hash to a chain that verifies.
    const verify = (await (await ctx.request("GET", "/v1/audit/verify", { key: auditor })).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
  });

  it("refuses inspectors, of the list's unit or another's (403), and writes nothing", async () => {
    const count = async () =>
      (await queryRows<{ n: number }>(ctx.test.database.db, sql`select count(*)::int as n from audit_events where action = 'control_list.fairness.read'`))[0].n;
    const before = await count();
    await expectProblem(await ctx.request("GET", `/v1/control-lists/${listId}/fairness`, { key: northInspector }), 403);
    await expectProblem(await ctx.request("GET", `/v1/control-lists/${listId}/fairness`, { key: southInspector }), 403);
    await expectProblem(await ctx.request("GET", `/v1/control-lists/${crypto.randomUUID()}/fairness`, { key: auditor }), 404);
    expect(await count()).toBe(before);
  });

  it("cts score fairness and cts lists fairness print the tables; an inspector's key exits 1", async () => {
    cli = await serveForCli(ctx);
    const run = (await cli.cts(officer, "score", "fairness", pop.runId, "--capacity", "0.15", "--reference", "region:coast")).stdout;
    expect(run).toContain(`fairness of scoring run ${pop.runId} at capacity 15%: top 18 of 120 scored files (8 positives among 16 files with an outcome)`);
    // The list's outcomes (north-00006 now negative) are the files' latest; hills' selection is flagged, its outcomes too few.
    expect(run).toMatch(/hills +40 +2 .*SELECTION \(outcomes too small\)/);
    const list = (await cli.cts(auditor, "lists", "fairness", listId)).stdout;
    expect(list).toContain(`fairness of control list ${listId}: 6 picks among 90 scored files of its unit`);
    const json = JSON.parse((await cli.cts(auditor, "lists", "fairness", listId, "--json")).stdout) as ListFairness;
    expect(json.report.k).toBe(6);
    await expect(cli.cts(northInspector, "lists", "fairness", listId)).rejects.toMatchObject({ code: 1 });
  }, 60_000);

  it("the web app shows the table on a run's page and on an auditor's list page, never on an inspector's", async () => {
    const web = await webSignIn(ctx, officer);
    // The run's page loads the section apart (htmx), with a link that opens it without scripts.
    const runPage = await (await web.get(`/app/runs/${pop.runId}?capacity=0.2`)).text();
    expect(runPage).toContain(`hx-get="/app/runs/${pop.runId}/fairness?capacity=0.2" hx-trigger="load"`);
    expect(runPage).toContain(`<a href="/app/runs/${pop.runId}/fairness?capacity=0.2">Show the fairness of the selection</a>`);
    const fragment = await (await web.get(`/app/runs/${pop.runId}/fairness?capacity=0.2`, { "hx-request": "true" })).text();
    expect(fragment.startsWith('<section class="card" aria-labelledby="run-fairness-title" id="fairness">')).toBe(true);
    const page = await web.get(`/app/runs/${pop.runId}/fairness?capacity=0.2`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<a href="/app/runs/${pop.runId}">Back to the run</a>`);
    expect(html).toContain("Fairness of the selection");
    expect(html).toMatch(/The top 20(\.0)?\s?% of the run&#39;s 120 files \(24 files\) are selected/);
    expect(html).toMatch(/<tr data-group="coast">.*?<td class="num">11<\/td>.*?data-metric="selectionRate">60\.0%/);
    // The officer chooses the reference group: against coast, hills' selection rate (0) is flagged.
    const rejudged = await (await web.get(`/app/runs/${pop.runId}/fairness?capacity=0.15&reference=region:coast`, { "hx-request": "true" })).text();
    expect(rejudged).toContain('<option value="region:coast" selected="">coast</option>');
    expect(rejudged).toMatch(/<tr data-group="hills">.*?flagged: selectionRate.*?outcome rates too small to judge/);
    expect((await web.get(`/app/runs/${pop.runId}/fairness?reference=region:moon`)).status).toBe(422);
    const asAuditor = await webSignIn(ctx, auditor);
    expect(await (await asAuditor.get(`/app/lists/${listId}`)).text()).toContain(`hx-get="/app/lists/${listId}/fairness" hx-trigger="load"`);
    const auditorPage = await (await asAuditor.get(`/app/lists/${listId}/fairness`, { "hx-request": "true" })).text();
    expect(auditorPage).toContain("Fairness of this list");
    expect(auditorPage).toContain('data-metric="fdr"');
    const inspector = await webSignIn(ctx, northInspector);
    const inspectorPage = await (await inspector.get(`/app/lists/${listId}`)).text();
    expect(inspectorPage).toContain("Files to control");
    expect(inspectorPage).not.toContain('id="fairness"');
    expect((await inspector.get(`/app/lists/${listId}/fairness`)).status).toBe(403);
    const via = await queryRows<{ action: string }>(ctx.test.database.db, sql`select action from audit_events where details->>'via' = 'web' and action like '%fairness%'`);
    expect(via.map((e) => e.action).sort()).toEqual(["control_list.fairness.read", "scoring_run.fairness.read", "scoring_run.fairness.read", "scoring_run.fairness.read"]);
  });

  it("keeps REGION in step with the population builder", () => {
    expect(pop.files.slice(0, 3).map((f) => f.attributes.region)).toEqual(REGION);
  });
});
