import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

/** Debian's chromium: the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(import.meta.dirname, "../../docs/screenshots");

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--headless", "--no-sandbox", "--disable-gpu"] });

/**
 * A page whose every request outside `base` is refused (as on a machine without internet), with
 * the console errors and page errors it logs and the outside requests it tried.
 */
export async function offlinePage(browser: Browser, base: string, viewport = { width: 1280, height: 800 }) {
  // en-GB as the browser's language (Accept-Language): the pages' default, so screenshots and texts stay stable.
  const context = await browser.newContext({ viewport, locale: "en-GB" });
  const page = await context.newPage();
  const errors: string[] = [];
  const outside: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith("data:")) return route.continue();
    outside.push(url);
    return route.abort("internetdisconnected");
  });
  return { context, page, errors, outside };
}

export async function signInWith(page: Page, base: string, key: string) {
  await page.goto(`${base}/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector('[data-testid="who"]');
}

/** A full-page screenshot into docs/screenshots/ (committed: the README shows some). */
export async function screenshot(page: Page, name: string, opts: { mask?: Locator[] } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true, mask: opts.mask });
}
