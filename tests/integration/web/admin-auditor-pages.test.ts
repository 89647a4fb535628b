import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn } from "../../helpers/web.js";

let ctx: TestContext;
let runId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ({ runId } = await buildScoredPopulation(ctx.test.database.db, { units: { north: 10 } }));
});
afterAll(() => ctx?.close());

describe("admin: API keys", () => {
  it("creates a key shown once, which then works at the API; revokes it", async () => {
    const admin = await webSignIn(ctx, await ctx.key("admin", [], "Ann Admin"));
    const bad = await admin.post("/app/admin/keys", { _csrf: admin.csrf, name: "Ivan", role: "inspector", units: "" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("an inspector key needs at least one unit");
    const unknown = await admin.post("/app/admin/keys", { _csrf: admin.csrf, name: "Ivan", role: "inspector", units: "nowhere" });
    expect(await unknown.text()).toContain("no file belongs to unit nowhere");
    const res = await admin.post("/app/admin/keys", { _csrf: admin.csrf, name: "Ivan Inspector", role: "inspector", units: "north" });
    expect(res.status).toBe(200);
    const html = await res.text();
    const key = /data-testid="new-key">([^<]+)</.exec(html)?.[1] ?? "";
    expect(key).toMatch(/^cts_[0-9a-f]{8}_[\w-]{43}$/);
    expect(html).toContain('data-copy="new-key"');
    const api = await ctx.request("GET", "/v1/control-lists", { key });
    expect(api.status).toBe(200);
    const list = await (await admin.get("/app/admin/keys")).text();
    expect(list).toContain(key.slice(0, 12));
    expect(list).not.toContain(key);
    const id = /action="\/app\/admin\/keys\/([0-9a-f-]{36})\/revoke"[\s\S]*?Revoke cts_/.exec(
      list.slice(list.indexOf(`data-key="${key.slice(0, 12)}"`)),
    )?.[1];
    expect((await admin.post(`/app/admin/keys/${id}/revoke`, { _csrf: admin.csrf })).status).toBe(303);
    expect((await ctx.request("GET", "/v1/control-lists", { key })).status).toBe(401);
    const events = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.target, key.slice(0, 12)));
    expect(events.map((e) => e.action)).toEqual(["api_key.create", "api_key.revoke"]);
  });

  it("an inspector reaching the keys page gets the 403 page", async () => {
    const inspector = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    expect((await inspector.get("/app/admin/keys")).status).toBe(403);
    expect((await inspector.post("/app/admin/keys", { _csrf: inspector.csrf, name: "x", role: "admin" })).status).toBe(403);
  });
});

describe("auditor: trail and verification", () => {
  it("filters events by actor, action, subject and dates, pages them, and records the read", async () => {
    const auditor = await webSignIn(ctx, await ctx.key("auditor"));
    const all = await (await auditor.get("/app/audit?action=web.sign_in&limit=1")).text();
    expect(all.match(/<td>web\.sign_in<\/td>/g)).toHaveLength(1);
    expect(all).toMatch(/href="\/app\/audit\?action=web\.sign_in&amp;limit=1&amp;after=\d+"/);
    const future = await (await auditor.get("/app/audit?from=2999-01-01")).text();
    expect(future).not.toContain("<td>web.sign_in</td>");
    const badDate = await auditor.get("/app/audit?from=yesterday");
    expect(badDate.status).toBe(422);
    const reads = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, "audit.events.read"));
    expect(reads.length).toBe(2);
  });

  it("verifies the chain and a run in one click, and says what a broken chain means", async () => {
    const auditor = await webSignIn(ctx, await ctx.key("auditor"));
    const hx = { "hx-request": "true" };
    const ok = await (await auditor.post("/app/audit/verify", { _csrf: auditor.csrf }, hx)).text();
    expect(ok).toContain("The audit chain holds.");
    const run = await (await auditor.post("/app/audit/verify", { _csrf: auditor.csrf, run: runId }, hx)).text();
    expect(run).toMatch(/The run(&#39;|')s scores (hold|do not hold)/);
    // Break the chain as someone with the database could (the triggers refuse the service's role).
    await ctx.test.database.db.execute(sql`alter table audit_events disable trigger user`);
    await ctx.test.database.db.execute(sql`update audit_events set details = '{"forged":true}' where id = 2`);
    await ctx.test.database.db.execute(sql`alter table audit_events enable trigger user`);
    const broken = await (await auditor.post("/app/audit/verify", { _csrf: auditor.csrf }, hx)).text();
    expect(broken).toContain("The audit chain is broken at event #2");
    expect(broken).toContain("was changed after it was written");
  });

  it("a data officer may not read the trail (the API's roles)", async () => {
    const officer = await webSignIn(ctx, await ctx.key("data_officer"));
    expect((await officer.get("/app/audit")).status).toBe(403);
  });
});
