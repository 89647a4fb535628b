import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { launchBrowser, offlinePage, screenshot, signInWith } from "../../helpers/browser.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { loadDemo } from "../models/model-fixtures.js";

/**
 * Data officers in the browser, against the real service, its workers (training and scoring in
 * worker threads), Postgres and Redis: officer A trains and sees the verdict, officer B approves,
 * a scoring run's live progress reaches done.
 */
let ctx: TestContext;
let served: CliTarget;
let browser: Browser;
let workers: Awaited<ReturnType<typeof startWorkers>>;

beforeAll(async () => {
  ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
  await loadDemo(ctx.test.database.db, { files: 3000 });
  workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
  served = await serveForCli(ctx);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await workers?.close();
  await ctx?.close();
});

describe("data officers in the browser", () => {
  it("A trains and sees the verdict, B approves it, then a scoring run's progress reaches done", async () => {
    const a = await offlinePage(browser, served.url);
    await signInWith(a.page, served.url, await ctx.key("data_officer", [], "Alma A"));
    await a.page.getByRole("link", { name: "Models" }).first().click();
    await a.page.getByLabel("Name (optional)").fill("browser test");
    await a.page.getByLabel("Most epochs (default 30)").fill("3");
    await a.page.getByRole("button", { name: "Start training" }).click();
    await a.page.waitForURL(/\/app\/models\/[0-9a-f-]{36}$/);
    const modelUrl = a.page.url();
    await a.page.getByTestId("training-progress").waitFor();
    // The progress fragment is polled, and the page reloads itself when the training ends.
    await a.page.getByRole("heading", { name: "Verdict" }).waitFor({ timeout: 100_000 });
    expect(await a.page.locator("table[aria-label='Verdict against the yardsticks'] tbody tr").count()).toBeGreaterThan(2);
    expect(await a.page.locator("svg[role=img]").count()).toBe(4);
    await screenshot(a.page, "officer-model-verdict");
    await expect(a.page.getByText("another data officer reviews and approves it").count()).resolves.toBe(1);
    expect(a.errors).toEqual([]);
    expect(a.outside).toEqual([]);
    await a.context.close();

    const b = await offlinePage(browser, served.url);
    await signInWith(b.page, served.url, await ctx.key("data_officer", [], "Bruno B"));
    await b.page.goto(modelUrl);
    await b.page.getByLabel("Justification (at least 10 characters)").fill("verdict reviewed in the browser test");
    const override = b.page.getByLabel("Approve despite the warnings");
    if (await override.count()) await override.check();
    await b.page.getByRole("button", { name: "Approve" }).click();
    await expect(b.page.locator("h1 + p .status").textContent()).resolves.toBe("active");

    await b.page.getByRole("link", { name: "Scoring runs" }).first().click();
    await b.page.getByRole("button", { name: "Score every file with the active model" }).click();
    await b.page.waitForURL(/\/app\/runs\/[0-9a-f-]{36}$/);
    await b.page.getByText("completed", { exact: true }).waitFor({ timeout: 100_000 });
    await expect(b.page.locator("#run-progress").textContent()).resolves.toContain("3,000 of 3,000 files");
    await screenshot(b.page, "officer-scoring-run");
    // Once done, the page reloads and htmx brings the fairness of the run's selection.
    await b.page.locator("#fairness table[data-attribute='region']").waitFor({ timeout: 30_000 });

    // The model's card, then an estimate of its yield on the demo's past controls from the page's form.
    await b.page.goto(modelUrl);
    await b.page.getByRole("link", { name: "Model card" }).click();
    await b.page.getByRole("heading", { name: "Intended use and limits" }).waitFor();
    await b.page.goto(modelUrl);
    await b.page.getByRole("link", { name: "Yield on past controls" }).click();
    await b.page.getByLabel("Share of files on the list (%)").fill("10");
    await b.page.getByRole("button", { name: "Estimate" }).click();
    await b.page.getByRole("heading", { name: /^Latest: a list of 10\.0% of files/ }).waitFor();
    expect(await b.page.locator("table[aria-label='Stored estimates'] tbody tr").count()).toBe(1);
    await screenshot(b.page, "officer-yield-estimate");
    expect(b.errors).toEqual([]);
    expect(b.outside).toEqual([]);
    await b.context.close();
  });
});
