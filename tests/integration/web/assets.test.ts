import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.close());

/** Every src= and href= of a page. */
const references = (html: string) => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);

describe("assets and /docs, offline", () => {
  it("/docs names no outside address and every asset it loads is served by this process", async () => {
    const res = await ctx.app.request("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    const refs = references(html);
    expect(refs).toEqual(["data:,", "/assets/swagger-ui.css", "/assets/swagger-ui-bundle.js", "/assets/docs.js"]);
    for (const ref of refs.slice(1)) {
      const asset = await ctx.app.request(ref);
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
    expect(await (await ctx.app.request("/assets/docs.js")).text()).toContain("validatorUrl: null");
  });

  it("the pages' own assets come from the installed htmx.org and the repo's stylesheet", async () => {
    const htmx = await ctx.app.request("/assets/htmx.min.js");
    expect(htmx.headers.get("content-type")).toContain("text/javascript");
    expect(await htmx.text()).toContain('version:"2.0.11"');
    const css = await ctx.app.request("/assets/app.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    const page = await (await ctx.app.request("/app/sign-in")).text();
    for (const ref of references(page)) expect(/^(\/(?!\/)|#|data:,$)/.test(ref), ref).toBe(true);
  });

  it("only the listed assets are served: no other name, no path out of the table", async () => {
    for (const path of ["/assets/package.json", "/assets/..%2F..%2Fpackage.json", "/assets/htmx.js"]) {
      const res = await ctx.app.request(path);
      expect(res.status, path).toBe(404);
    }
  });
});
