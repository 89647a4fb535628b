import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { scrollWidth, seriousViolations, type Violation } from "../../helpers/axe.js";
import { launchBrowser, offlinePage, signInWith } from "../../helpers/browser.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { insertEvaluatedModel, insertRunWithDrift, shiftedDriftReport } from "../../helpers/evidence.js";
import { addScoringRun, buildScoredPopulation } from "../../helpers/scored-population.js";
import { prefixOf } from "../models/model-fixtures.js";

/**
 * The formal accessibility check: axe-core over the main pages of every role, in Debian's
 * chromium against the real service, with no serious or critical violation allowed; and each page
 * at 390 px wide must not scroll sideways.
 */
let ctx: TestContext;
let served: CliTarget;
let browser: Browser;
const pages: Record<Role, { name: string; path: string; then?: (page: Page) => Promise<void> }[]> = { inspector: [], data_officer: [], auditor: [], admin: [] };
const keys = {} as Record<Role, string>;

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.test.database.db;
  const population = await buildScoredPopulation(db, { units: { north: 40, south: 10 } });
  keys.inspector = await ctx.key("inspector", ["north"], "Nina North");
  keys.data_officer = await ctx.key("data_officer", [], "Olga Officer");
  keys.auditor = await ctx.key("auditor", [], "Ada Auditor");
  keys.admin = await ctx.key("admin", [], "Ann Admin");
  const list = await ctx.request("POST", "/v1/control-lists", { key: keys.inspector, json: { unit: "north", capacity: 6 } });
  const listId = ((await list.json()) as { id: string }).id;
  const file = population.files[0].id;
  const trainer = await ctx.key("data_officer", [], "Tom Trainer");
  const evaluated = await insertEvaluatedModel(db, { trainedBy: prefixOf(trainer), name: "candidate" });
  await addScoringRun(db, evaluated, population.files, { shadow: true, scoreOf: (_f, i) => ((i * 31) % 50) / 50 });
  const drifted = await insertRunWithDrift(db, population.modelId, shiftedDriftReport());
  const verify = async (page: Page) => {
    await page.getByRole("button", { name: "Verify the whole chain" }).click();
    await page.getByTestId("verify-result").waitFor();
  };
  const openForms = async (page: Page) => {
    await page.locator("tr[data-file]").nth(0).getByText("Record outcome").click();
    await page.locator("tr[data-file]").nth(0).getByRole("button", { name: "Save outcome" }).waitFor();
    await page.locator("tr[data-file]").nth(1).getByText("Skip", { exact: true }).click();
    await page.locator("tr[data-file]").nth(1).getByLabel("Why skip this file? (at least 10 characters)").waitFor();
  };
  pages.inspector.push(
    { name: "home", path: "/" },
    { name: "my work", path: "/app/work" },
    { name: "list", path: `/app/lists/${listId}` },
    { name: "list with the outcome and skip forms open", path: `/app/lists/${listId}`, then: openForms },
    { name: "file", path: `/app/files/${file}` },
  );
  pages.data_officer.push(
    { name: "home", path: "/" },
    { name: "imports", path: "/app/imports" },
    { name: "models", path: "/app/models" },
    { name: "evaluation and approval", path: `/app/models/${evaluated}` },
    { name: "compare", path: `/app/models/compare?id=${population.modelId}&id=${evaluated}&listSize=5` },
    { name: "scoring runs", path: "/app/runs" },
    { name: "a run with drift", path: `/app/runs/${drifted}` },
    { name: "units", path: "/app/units" },
  );
  pages.auditor.push(
    { name: "home", path: "/" },
    { name: "audit events", path: "/app/audit" },
    { name: "verify", path: "/app/audit", then: verify },
    { name: "lists", path: "/app/lists" },
    { name: "list", path: `/app/lists/${listId}` },
    { name: "file's score history", path: `/app/files/${file}` },
  );
  pages.admin.push({ name: "home", path: "/" }, { name: "keys", path: "/app/admin/keys" }, { name: "units", path: "/app/units" });
  served = await serveForCli(ctx);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await ctx?.close();
});

describe("accessibility of every role's main pages", () => {
  it("the sign-in page, with and without its error", async () => {
    const { page, context } = await offlinePage(browser, served.url);
    await page.goto(`${served.url}/app/sign-in`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel("API key").fill("not a key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  for (const role of ["inspector", "data_officer", "auditor", "admin"] as const) {
    it(`${role}: no serious or critical axe violation at 1280 px, no sideways scrolling at 390 px`, async () => {
      const wide = await offlinePage(browser, served.url);
      await signInWith(wide.page, served.url, keys[role]);
      const cookies = await wide.context.cookies();
      const phone = await offlinePage(browser, served.url, { width: 390, height: 844 });
      await phone.context.addCookies(cookies);
      const found: Record<string, Violation[]> = {};
      const widths: Record<string, number> = {};
      for (const p of pages[role]) {
        const res = await wide.page.goto(`${served.url}${p.path}`);
        expect(res?.status(), p.name).toBe(200);
        await p.then?.(wide.page);
        const violations = await seriousViolations(wide.page);
        if (violations.length > 0) found[p.name] = violations;
        await phone.page.goto(`${served.url}${p.path}`);
        await p.then?.(phone.page);
        widths[p.name] = await scrollWidth(phone.page);
      }
      expect(found).toEqual({});
      expect(Object.entries(widths).filter(([, w]) => w > 390)).toEqual([]);
      expect(wide.errors).toEqual([]);
      expect(wide.outside).toEqual([]);
      await wide.context.close();
      await phone.context.close();
    });
  }
});
