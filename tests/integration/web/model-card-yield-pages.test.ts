import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { outcomes } from "../../../services/db/schema/index.js";
import { modelCardMarkdown } from "../../../services/cards/model-card-markdown.js";
import { modelCard } from "../../../services/db/queries/model-card.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";
import { csrfIn, webSignIn, type WebClient } from "../../helpers/web.js";
import { insertModel } from "../models/model-fixtures.js";

/**
 * The model card and yield estimate pages. An active model with a completed run over 500 files of
 * one unit; a past list of its top 50 (probability 1) and 100 exploration picks of the other 450
 * (probability 100/450), outcomes set by position.
 */
describe("web: a model's card and its yield estimates", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  let officer: WebClient;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    const db = ctx.test.database.db;
    pop = await buildScoredPopulation(db, { units: { north: 500 } });
    const ranked = [...pop.files].sort((a, b) => b.score - a.score);
    await db.insert(outcomes).values([
      ...ranked.slice(0, 50).map((f, i) => ({ fileId: f.id, unit: f.unit, controlledAt: "2026-02-02", outcome: i % 3 === 0 ? 1 : 0, selectedBy: "model" as const, selectionProbability: 1, recordedBy: "test" })),
      ...ranked
        .slice(50)
        .filter((_, j) => j % 9 < 2)
        .map((f, i) => ({ fileId: f.id, unit: f.unit, controlledAt: "2026-02-02", outcome: i % 7 === 0 ? 1 : 0, selectedBy: "exploration" as const, selectionProbability: 100 / 450, recordedBy: "test" })),
    ]);
    officer = await webSignIn(ctx, await ctx.key("data_officer", [], "Mona Officer"));
  });
  afterAll(() => ctx?.close());

  it("the model page links to the card; the card page renders the Markdown card, which downloads as a file", async () => {
    const model = await (await officer.get(`/app/models/${pop.modelId}`)).text();
    expect(model).toContain(`href="/app/models/${pop.modelId}/card"`);
    expect(model).toContain(`href="/app/models/${pop.modelId}/yield"`);
    const page = await officer.get(`/app/models/${pop.modelId}/card`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const markdown = modelCardMarkdown(await modelCard(ctx.test.database.db, pop.modelId));
    expect(html).toContain(`<h1>Model card: ${pop.modelId}</h1>`);
    for (const heading of ["Intended use and limits", "Training data", "Evaluation against baselines", "Per-segment performance and fairness", "Drift", "Approval and oversight", "Artifact"]) {
      expect(markdown).toContain(`## ${heading}`);
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toMatch(/<div class="table-wrap" role="region" tabindex="0" aria-label="Table \d+"><table>\s*<thead>\s*<tr>\s*<th scope="col">attribute<\/th>/);
    const download = await officer.get(`/app/models/${pop.modelId}/card.md`);
    expect(download.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="model-card-${pop.modelId}.md"`);
    expect(await download.text()).toBe(markdown);
  });

  it("an inspector is refused the card and yield pages (403)", async () => {
    const inspector = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    expect((await inspector.get(`/app/models/${pop.modelId}/card`)).status).toBe(403);
    expect((await inspector.get(`/app/models/${pop.modelId}/yield`)).status).toBe(403);
  });

  it("the yield page's form makes an estimate (stored, audited), lists it and shows the exploration share guidance", async () => {
    const empty = await (await officer.get(`/app/models/${pop.modelId}/yield`)).text();
    expect(empty).toContain("None yet.");
    const made = await officer.post(`/app/models/${pop.modelId}/yield`, { _csrf: csrfIn(empty), capacity: "20" });
    expect(made.status).toBe(303);
    const [row] = await queryRows<{ id: string; capacity: number }>(ctx.test.database.db, sql`select id, capacity from yield_estimates where model_id = ${pop.modelId}::uuid`);
    expect(row.capacity).toBeCloseTo(0.2, 12);
    expect(made.headers.get("location")).toBe(`/app/models/${pop.modelId}/yield#estimate-${row.id}`);
    const [event] = await queryRows<{ details: { via?: string; estimateId: string } }>(ctx.test.database.db, sql`select details from audit_events where action = 'model.yield_estimate'`);
    expect(event.details.estimateId).toBe(row.id);

    const html = await (await officer.get(`/app/models/${pop.modelId}/yield`)).text();
    expect(html).toContain(`data-estimate-id="${row.id}"`);
    expect(html).toMatch(/Latest: a list of 20\.0% of files/);
    // 100 of the 150 controls were exploration picks: 66.7 %; the rows scale the width by √(share₀ / share).
    expect(html).toContain("66.7% of the past controls used were exploration picks");
    expect(html).toMatch(/<tr data-share="0.05">[\s\S]*?<\/tr>/);
    expect(html).toMatch(/<tr data-share="0.1"><th scope="row">10\.0%<span class="muted"> \(default\)<\/span>/);
  });

  it("refuses a share outside (0, 100] with the field named (422), and a model never scored (409)", async () => {
    const page = await (await officer.get(`/app/models/${pop.modelId}/yield`)).text();
    const bad = await officer.post(`/app/models/${pop.modelId}/yield`, { _csrf: csrfIn(page), capacity: "150" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('<a href="#capacity">Share of files on the list: at most 100 %</a>');
    const unscored = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: "someone" });
    const refused = await officer.post(`/app/models/${unscored}/yield`, { _csrf: csrfIn(page), capacity: "10" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/has no completed scoring run/);
  });
});
