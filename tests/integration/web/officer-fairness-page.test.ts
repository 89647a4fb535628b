import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FairnessEvaluation } from "../../../models/fairness-schema.js";
import { models } from "../../../services/db/schema/index.js";
import { fmtInt, fmtNumber, fmtPercent } from "../../../services/web/format.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { fairnessEvaluation } from "../../helpers/evidence.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";
import { insertModel, prefixOf } from "../models/model-fixtures.js";

let ctx: TestContext;
let officer: WebClient;
let modelId: string;
let stored: FairnessEvaluation;

beforeAll(async () => {
  ctx = await createTestContext();
  const key = await ctx.key("data_officer", [], "Fay Officer");
  officer = await webSignIn(ctx, key);
  modelId = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(key) });
  const [row] = await ctx.test.database.db.select().from(models).where(eq(models.id, modelId));
  stored = fairnessEvaluation();
  await ctx.test.database.db.update(models).set({ metrics: { ...(row.metrics as object), fairness: stored } }).where(eq(models.id, modelId));
});
afterAll(() => ctx?.close());

const rowOf = (html: string, group: string) => new RegExp(`<tr data-group="${group}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";

describe("data officer: a model's fairness by segment", () => {
  it("shows the stored figures per group at the default capacity (10%), with th scopes and a caption", async () => {
    const res = await officer.get(`/app/models/${modelId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h2 id="fairness-title">Fairness by segment</h2>');
    expect(html).toMatch(/<option value="0.1" selected="">10.0%<\/option>/);
    const report = stored.reports[0];
    const region = report.attributes.find((a) => a.attribute === "region");
    expect(region?.reference).toBe("north");
    for (const g of region?.groups ?? []) {
      const row = rowOf(html, g.value);
      expect(row).toContain(`<th scope="row">${g.value}`);
      expect(row).toContain(`<td class="num">${fmtInt(g.n)}</td>`);
      expect(row).toContain(`<td class="num">${fmtPercent(g.baseRate.value)}</td>`);
      for (const m of ["selectionRate", "precision", "fpr", "fnr"] as const) {
        expect(row).toContain(`<td class="num" data-metric="${m}">${fmtPercent(g.rates[m].value)}`);
      }
    }
    expect(html).toContain('<th scope="col" class="num">False positive rate (ratio)</th>');
    // The score deciles (the sanity view) come after the segments, under their own heading.
    expect(html).toMatch(/data-attribute="region"[\s\S]*<h3>By score decile<\/h3>[\s\S]*data-attribute="score_decile"/);
    expect(html).toContain('<label for="reference-region">Reference for region</label>');
    expect(html).toMatch(/<option value="region:north" selected="">north \(the largest\)<\/option>/);
  });

  it("marks the flagged group and the group too small to judge", async () => {
    const html = await (await officer.get(`/app/models/${modelId}`)).text();
    const south = stored.reports[0].attributes[0].groups.find((g) => g.value === "south");
    expect(south?.disparity.selectionRate.flagged).toBe(true);
    const southRow = rowOf(html, "south");
    expect(southRow).toContain('data-flag="selectionRate"');
    expect(southRow).toMatch(/flagged: [a-zA-Z, ]*selectionRate/);
    expect(southRow).toContain("outside 0.8–1.25");
    const isle = rowOf(html, "isle");
    expect(isle).toContain("too small to judge");
    expect(isle).not.toContain("data-flag");
    expect(rowOf(html, "north")).toContain("(reference)");
    expect(rowOf(html, "north")).not.toContain("data-flag");
  });

  it("another stored capacity is chosen by the form; a model without a report says so", async () => {
    const html = await (await officer.get(`/app/models/${modelId}?capacity=0.2`)).text();
    expect(html).toMatch(/<option value="0.2" selected="">20.0%<\/option>/);
    const south = stored.reports[1].attributes[0].groups.find((g) => g.value === "south");
    expect(rowOf(html, "south")).toContain(`data-metric="selectionRate">${fmtPercent(south?.rates.selectionRate.value)}`);
    const bare = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: "cts_other000" });
    expect(await (await officer.get(`/app/models/${bare}`)).text()).toContain("has no stored fairness report");
  });

  it("judges against the reference group the officer picks (the API's re-judging), and refuses an unknown group with 422", async () => {
    const html = await (await officer.get(`/app/models/${modelId}?capacity=0.1&reference=region:south&reference=score_decile:2`)).text();
    expect(html).toMatch(/<option value="region:south" selected="">south<\/option>/);
    expect(html).toContain("reference group “south” (chosen)");
    expect(rowOf(html, "south")).toContain("(reference)");
    const north = stored.reports[0].attributes[0].groups.find((g) => g.value === "north");
    const south = stored.reports[0].attributes[0].groups.find((g) => g.value === "south");
    const ratio = (north?.rates.selectionRate.value ?? 0) / (south?.rates.selectionRate.value ?? 1);
    expect(rowOf(html, "north")).toContain(`data-metric="selectionRate">${fmtPercent(north?.rates.selectionRate.value)}<div class="muted">×${fmtNumber(ratio)}</div>`);
    expect(rowOf(html, "north")).toContain('data-flag="selectionRate"');
    expect(html).toContain("reference group “2” (chosen)");
    const bad = await officer.get(`/app/models/${modelId}?reference=region:atlantis`);
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("unknown group");
  });
});
