import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { webSignIn } from "../../helpers/web.js";

const TYPE_OF: Record<string, RegExp> = { js: /javascript/, css: /^text\/css/, png: /^image\/png/, svg: /^image\/svg/, ico: /icon/ };

describe("the queue dashboard at /admin/queues", () => {
  let ctx: TestContext;
  let admin: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    admin = await ctx.key("admin");
  });
  afterAll(() => ctx.close());

  it("answers 401 without a key, on the page, its API and its assets", async () => {
    for (const path of ["/admin/queues", "/admin/queues/", "/admin/queues/api/queues", "/admin/queues/static/favicon.ico"]) {
      await expectProblem(await ctx.request("GET", path), 401);
    }
  });

  it("answers 403 to an inspector and to a data officer", async () => {
    const inspector = await ctx.key("inspector", ["north"]);
    const officer = await ctx.key("data_officer");
    for (const key of [inspector, officer]) {
      const problem = await expectProblem(await ctx.request("GET", "/admin/queues", { key }), 403);
      expect(problem.detail).toContain("allowed: admin");
      await expectProblem(await ctx.request("GET", "/admin/queues/api/queues", { key }), 403);
    }
  });

  it("serves an admin the page, with no remote asset, and records that it was opened", async () => {
    const response = await ctx.request("GET", "/admin/queues", { key: admin, headers: { "x-request-id": "dashboard-open" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<base href="/admin/queues/"');
    expect(html).toContain("CTS queues");
    expect(html).not.toMatch(/(href|src)="https?:\/\//);
    const [event] = await ctx.test.database.db
      .select({ actor: auditEvents.actor, target: auditEvents.target })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "admin.queues.view"), eq(auditEvents.requestId, "dashboard-open")));
    expect(event).toMatchObject({ target: "/admin/queues" });
    expect(event.actor).toBe(admin.slice(0, 12));
  });

  it("opens for an admin signed in to the web app (its session cookie), and not for a signed-in officer", async () => {
    const adminBrowser = await webSignIn(ctx, admin);
    const page = await adminBrowser.get("/admin/queues");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("CTS queues");
    expect((await adminBrowser.get("/admin/queues/api/queues")).status).toBe(200);
    const officerBrowser = await webSignIn(ctx, await ctx.key("data_officer"));
    await expectProblem(await officerBrowser.get("/admin/queues/api/queues"), 403);
    // A stale or forged cookie is no session: the key check answers.
    await expectProblem(await ctx.request("GET", "/admin/queues", { headers: { cookie: "cts_session=forged" } }), 401);
  });

  it("loads every script and stylesheet the page names from this service (the installed @bull-board/ui)", async () => {
    const html = await (await ctx.request("GET", "/admin/queues", { key: admin })).text();
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.some((a) => a.endsWith(".js"))).toBe(true);
    expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
    // The translations the script fetches once running are in the package too.
    assets.push("static/locales/en-US/messages.json");
    TYPE_OF.json = /json/;
    for (const asset of assets) {
      const response = await ctx.request("GET", `/admin/queues/${asset}`, { key: admin });
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("content-type"), asset).toMatch(TYPE_OF[asset.split(".").pop() as string]);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
  });

  it("lists this service's queues with their counts, read-only, and refuses changes", async () => {
    await ctx.queues.diagnostics.add("probe-backend", {});
    const response = await ctx.request("GET", "/admin/queues/api/queues", { key: admin });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(["diagnostics", "scoring", "training"]);
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
    expect(body.queues.find((q) => q.name === "diagnostics")?.counts.waiting).toBe(1);
    const refused = await expectProblem(await ctx.request("PUT", "/admin/queues/api/queues/diagnostics/empty", { key: admin }), 405);
    expect(refused.detail).toContain("read-only");
    expect(await ctx.queues.diagnostics.getWaitingCount()).toBe(1);
  });
});
