import { eq, lt } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, webSessions } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { cookieFrom, csrfIn, ORIGIN, webSignIn } from "../../helpers/web.js";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.close());

const events = (action: string) => ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, action));

describe("web sign-in, sessions and CSRF", () => {
  it("GET / sends a stranger to the sign-in form, which is a labelled, accessible page", async () => {
    const home = await ctx.app.request("/");
    expect(home.status).toBe(303);
    expect(home.headers.get("location")).toBe("/app/sign-in");
    const form = await ctx.app.request("/app/sign-in");
    const html = await form.text();
    expect(form.status).toBe(200);
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<label for="key">API key<\/label>/);
    expect(html).toContain('<script src="/assets/htmx.min.js"');
    expect(form.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(form.headers.get("cache-control")).toBe("no-store");
  });

  it("a refused sign-in is a 401 and an audit event that names the key's prefix, never the key", async () => {
    const key = await ctx.key("inspector", ["north"]);
    const wrong = `${key.slice(0, 13)}_${"x".repeat(43)}`;
    const form = await ctx.app.request("/app/sign-in");
    const pre = cookieFrom(form, "cts_sign_in");
    const res = await ctx.app.request("/app/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: pre?.pair ?? "", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfIn(await form.text()), key: wrong }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("That key is unknown or has been revoked.");
    expect(cookieFrom(res, "cts_session")).toBeNull();
    const [event] = await events("web.sign_in.refused");
    expect(event.details).toEqual({ prefix: key.slice(0, 12), address: "in-process", reason: "unknown or revoked key" });
    expect(JSON.stringify(event)).not.toContain("x".repeat(43));
  });

  it("a sign-in form posted without its own token (from another site) is refused", async () => {
    const key = await ctx.key("inspector", ["north"]);
    const res = await ctx.app.request("/app/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ key }),
    });
    expect(res.status).toBe(403);
    expect(cookieFrom(res, "cts_session")).toBeNull();
  });

  it("the session cookie is HttpOnly and SameSite=Strict, Secure only behind TLS, and sign-in is audited", async () => {
    const key = await ctx.key("auditor", [], "Ada Auditor");
    const plain = await webSignIn(ctx, key);
    expect(plain.cookie).toMatch(/^cts_session=[\w-]{43}$/);
    const form = await ctx.app.request("/app/sign-in", { headers: { "x-forwarded-proto": "https" } });
    const pre = cookieFrom(form, "cts_sign_in");
    expect(pre?.line).toContain("Secure");
    const res = await ctx.app.request("/app/sign-in", {
      method: "POST",
      headers: { origin: ORIGIN, cookie: pre?.pair ?? "", "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" },
      body: new URLSearchParams({ _csrf: csrfIn(await form.text()), key }),
    });
    const line = cookieFrom(res, "cts_session")?.line ?? "";
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/Max-Age=28800/);
    const signIns = await events("web.sign_in");
    expect(signIns.map((e) => e.role)).toEqual(["auditor", "auditor"]);
    const page = await (await plain.get("/")).text();
    expect(page).toContain("Ada Auditor");
    expect(page).toContain("Auditor · all units");
  });

  it("a POST without the session's CSRF token is refused with the 403 page and changes nothing", async () => {
    const client = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    const res = await client.post("/app/sign-out", {});
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain("<h1 id=\"error-title\">Not allowed</h1>");
    expect(html).not.toMatch(/at \w+ \(|node_modules/);
    const forged = await client.post("/app/sign-out", { _csrf: "A".repeat(43) });
    expect(forged.status).toBe(403);
    expect((await client.get("/")).status).toBe(200);
  });

  it("signing out deletes the session: the old cookie then opens nothing", async () => {
    const client = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    const out = await client.post("/app/sign-out", { _csrf: client.csrf });
    expect(out.status).toBe(303);
    expect(cookieFrom(out, "cts_session")?.line).toMatch(/Max-Age=0/);
    const again = await client.get("/app/work");
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/app/sign-in?next=%2Fapp%2Fwork");
    expect((await events("web.sign_out")).length).toBe(1);
  });

  it("an expired session opens nothing, and the next sign-in sweeps it away", async () => {
    const client = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    const { db } = ctx.test.database;
    await db.update(webSessions).set({ expiresAt: new Date(Date.now() - 1000) });
    const res = await client.get("/app/work");
    expect(res.status).toBe(303);
    expect(cookieFrom(res, "cts_session")?.line).toMatch(/Max-Age=0/);
    await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    const left = await db.select().from(webSessions).where(lt(webSessions.expiresAt, new Date()));
    expect(left).toHaveLength(0);
  });

  it("revoking the key ends its sessions at once", async () => {
    const admin = await ctx.key("admin");
    const inspector = await ctx.key("inspector", ["north"]);
    const client = await webSignIn(ctx, inspector);
    expect((await client.get("/")).status).toBe(200);
    const keys = (await (await ctx.request("GET", "/v1/api-keys", { key: admin })).json()) as { items: { id: string; prefix: string }[] };
    const id = keys.items.find((k) => inspector.startsWith(k.prefix))?.id;
    expect((await ctx.request("DELETE", `/v1/api-keys/${id}`, { key: admin })).status).toBe(200);
    expect((await client.get("/")).status).toBe(303);
  });

  it("a page a role may not see is the 403 page, not a stack trace or problem JSON", async () => {
    const auditor = await webSignIn(ctx, await ctx.key("auditor"));
    const res = await auditor.get("/app/work");
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toMatch(/role &quot;auditor&quot; may not do this/);
  });

  it("sign-in's next= only goes to pages of this app (no open redirect)", async () => {
    const key = await ctx.key("inspector", ["north"]);
    for (const [next, expected] of [
      ["https://evil.example/", "/"],
      ["//evil.example", "/"],
      ["/app/work", "/app/work"],
    ]) {
      const form = await ctx.app.request("/app/sign-in");
      const res = await ctx.app.request("/app/sign-in", {
        method: "POST",
        headers: { origin: ORIGIN, cookie: cookieFrom(form, "cts_sign_in")?.pair ?? "", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrfIn(await form.text()), key, next }),
      });
      expect(res.headers.get("location")).toBe(expected);
    }
  });
});
