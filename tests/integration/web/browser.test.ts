import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { launchBrowser, offlinePage, screenshot, signInWith } from "../../helpers/browser.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/**
 * The web app through a real browser (Debian's chromium driven by playwright-core), against the
 * real service on a port, Postgres and Redis; every request outside the service is refused.
 */
let ctx: TestContext;
let served: CliTarget;
let browser: Browser;
let base: string;
let southListId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  await buildScoredPopulation(ctx.test.database.db, { units: { north: 60, south: 40 } });
  const south = await ctx.request("POST", "/v1/control-lists", { key: await ctx.key("inspector", ["south"]), json: { unit: "south", capacity: 5 } });
  southListId = ((await south.json()) as { id: string }).id;
  served = await serveForCli(ctx);
  base = served.url;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await served?.close();
  await ctx?.close();
});

describe("in the browser", () => {
  it("an inspector signs in, pulls a list, records an outcome and sees the progress change", async () => {
    const { page, errors, outside, context } = await offlinePage(browser, base);
    await signInWith(page, base, await ctx.key("inspector", ["north"], "Nina North"));
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Nina North");
    await screenshot(page, "home-inspector");
    const [cookie] = (await context.cookies()).filter((c) => c.name === "cts_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false });

    await page.getByRole("link", { name: "My work" }).first().click();
    await page.getByLabel("How many controls can you do?").fill("6");
    await page.getByRole("button", { name: "Pull list" }).click();
    await page.waitForURL(/\/app\/lists\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("list-progress").textContent()).resolves.toBe("0 of 6 done");
    const files = await page.locator("tr[data-file]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-file") ?? ""));
    expect(files).toHaveLength(6);
    expect(files.every((f) => f.startsWith("north-"))).toBe(true);
    expect(await page.content()).not.toContain("south-");
    await screenshot(page, "inspector-list");

    const row = page.locator("tr[data-file]").first();
    await row.getByText("Record outcome").click();
    await row.getByRole("button", { name: "Save outcome" }).click();
    // The browser's own check first (required select); then the server's inline error for a bad amount.
    await row.getByLabel("What did the control find?").selectOption("1");
    await row.getByLabel("Amount found (optional)").fill("a lot");
    await row.getByRole("button", { name: "Save outcome" }).click();
    await expect(page.locator("tr[data-file]").first().locator(".error").first().textContent()).resolves.toContain("Write the amount as a number");
    const again = page.locator("tr[data-file]").first();
    await again.getByLabel("Amount found (optional)").fill("1250.50");
    await again.getByRole("button", { name: "Save outcome" }).click();
    await page.getByText("1 of 6 done").waitFor();
    await expect(page.locator("tr[data-file]").first().textContent()).resolves.toContain("Outcome recorded");
    await page.goto(`${base}/app/work`);
    await expect(page.getByTestId("progress").first().textContent()).resolves.toContain("1 / 6 done");
    await screenshot(page, "inspector-my-work");

    const phone = await offlinePage(browser, base, { width: 390, height: 844 });
    await phone.context.addCookies([cookie]);
    await phone.page.goto(`${base}/app/work`);
    const width = await phone.page.evaluate<number>("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(phone.page, "inspector-my-work-390px");
    await phone.context.close();

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  it("refuses what the inspector may not do: another unit's list, a post without the CSRF token, an old cookie", async () => {
    const { page, context } = await offlinePage(browser, base);
    await signInWith(page, base, await ctx.key("inspector", ["north"]));
    const refused = await page.goto(`${base}/app/lists/${southListId}`);
    expect(refused?.status()).toBe(403);
    await expect(page.locator("h1").textContent()).resolves.toBe("Not allowed");
    expect(await page.content()).not.toContain("south-");
    await screenshot(page, "forbidden");

    // Same origin, valid session cookie, but no token: refused, and still signed in.
    const status = await page.evaluate(async () => (await fetch("/app/sign-out", { method: "POST", body: new URLSearchParams({ x: "1" }) })).status);
    expect(status).toBe(403);
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-testid="who"]');

    const [old] = (await context.cookies()).filter((c) => c.name === "cts_session");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/app\/sign-in$/);
    const replay = await offlinePage(browser, base);
    await replay.context.addCookies([old]);
    await replay.page.goto(`${base}/app/work`);
    expect(new URL(replay.page.url()).pathname).toBe("/app/sign-in");
    await replay.context.close();
    await context.close();
  });

  it("an admin creates a key in the browser and it works at the API", async () => {
    const { page, errors, outside, context } = await offlinePage(browser, base);
    await signInWith(page, base, await ctx.key("admin", [], "Ann Admin"));
    await page.getByRole("link", { name: "API keys" }).first().click();
    await page.getByLabel("Person or system").fill("Ivan Inspector");
    await page.getByLabel("Role").selectOption("inspector");
    await page.getByLabel("Units (inspectors; comma separated)").fill("north");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = ((await page.getByTestId("new-key").textContent()) ?? "").trim();
    expect(key).toMatch(/^cts_[0-9a-f]{8}_[\w-]{43}$/);
    await screenshot(page, "admin-keys", { mask: [page.getByTestId("new-key")] });
    const api = await fetch(`${base}/v1/units`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { items: { unit: string }[] }).items.map((u) => u.unit)).toEqual(["north"]);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  it("an auditor verifies the chain with one click", async () => {
    const { page, errors, outside, context } = await offlinePage(browser, base);
    await signInWith(page, base, await ctx.key("auditor", [], "Ada Auditor"));
    await page.getByRole("link", { name: "Audit trail" }).first().click();
    await page.getByRole("button", { name: "Verify the whole chain" }).click();
    await expect(page.getByTestId("verify-result").textContent()).resolves.toContain("The audit chain holds.");
    await screenshot(page, "auditor-audit");
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  it("a data officer uploads a CSV with upload progress and sees each refused line", async () => {
    const { page, errors, outside, context } = await offlinePage(browser, base);
    await signInWith(page, base, await ctx.key("data_officer", [], "Olga Officer"));
    await page.getByRole("link", { name: "Imports" }).first().click();
    await page.getByLabel("Bad lines").selectOption("skip-invalid");
    const rows = Array.from({ length: 2000 }, (_, i) => `up-${i},north,coast,${i}`).join("\n");
    await page.getByLabel("CSV file").setInputFiles({ name: "files.csv", mimeType: "text/csv", buffer: Buffer.from(`id,unit,region,amount\n${rows}\nup-x,north,hills,lots\n`) });
    // Registered after upload.js's listener, so it sees the value that listener gave the bar.
    await page.evaluate(`document.addEventListener("htmx:xhr:progress", () => { window.barSeen = document.getElementById("upload-progress").value; })`);
    await page.getByRole("button", { name: "Import" }).click();
    await page.getByTestId("import-result").waitFor();
    await expect(page.getByTestId("import-result").textContent()).resolves.toContain("inserted: 2,000");
    await expect(page.locator("table[aria-label='Refused lines'] tbody tr").count()).resolves.toBe(1);
    await expect(page.evaluate<number>("window.barSeen")).resolves.toBe(100);
    await screenshot(page, "officer-import");
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });

  it("/docs renders the API reference with the network blocked to everything but the service", async () => {
    const { page, errors, outside, context } = await offlinePage(browser, base);
    await page.goto(`${base}/docs`);
    await page.locator(".swagger-ui .info .title").waitFor();
    await expect(page.locator(".swagger-ui .info .title").textContent()).resolves.toContain("Control Targeting Service");
    await page.locator(".opblock").first().waitFor();
    await screenshot(page, "api-docs");
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });
});
