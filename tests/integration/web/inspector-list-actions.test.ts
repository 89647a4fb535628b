import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, controlListItems } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";

let ctx: TestContext;
let north: WebClient;
let listId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  await buildScoredPopulation(ctx.test.database.db, { units: { north: 30, south: 20 } });
  north = await webSignIn(ctx, await ctx.key("inspector", ["north"], "Nina North"));
  const res = await north.post("/app/lists", { _csrf: north.csrf, unit: "north", capacity: "5" });
  listId = /\/app\/lists\/([0-9a-f-]{36})$/.exec(res.headers.get("location") ?? "")?.[1] ?? "";
});
afterAll(() => ctx?.close());

const fileIds = (html: string) => [...html.matchAll(/data-file="([^"]+)"/g)].map((m) => m[1]);
const events = (action: string) => ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, action));

describe("skipping an item and adding a file by hand on the list page", () => {
  it("skips with a reason: the row says skipped, with the reason, and the event is written", async () => {
    const page = await (await north.get(`/app/lists/${listId}`)).text();
    const fileId = fileIds(page)[1];
    const path = `/app/lists/${listId}/items/${encodeURIComponent(fileId)}/skip`;
    expect(page).toContain(`href="${path}?shownAt=2"`);
    const form = await (await north.get(`${path}?shownAt=2`, { "hx-request": "true" })).text();
    expect(form).toContain('<label for="skip-reason-2">');
    const htmx = { "hx-request": "true" };
    const short = await north.post(path, { _csrf: north.csrf, shownAt: "2", reason: "closed" }, htmx);
    expect(short.headers.get("x-form-status")).toBe("422");
    expect(await short.text()).toMatch(/id="skip-reason-2-error" class="error">Say why in at least 10 characters/);
    expect(await events("control_list.item.skip")).toHaveLength(0);
    const ok = await north.post(path, { _csrf: north.csrf, shownAt: "2", reason: "business closed in March" });
    expect(ok.status).toBe(303);
    const after = await (await north.get(`/app/lists/${listId}`)).text();
    expect(after).toMatch(new RegExp(`data-file="${fileId}"[\\s\\S]*?status-skipped[\\s\\S]*?Skipped: business closed in March`));
    const [event] = await events("control_list.item.skip");
    expect(event).toMatchObject({ target: listId, details: expect.objectContaining({ fileId, note: "business closed in March" }) });
  });

  it("adds a file of the unit by hand, last on the list, with its event", async () => {
    const page = await (await north.get(`/app/lists/${listId}`)).text();
    const onList = new Set(fileIds(page));
    const fileId = Array.from({ length: 30 }, (_, i) => `north-${String(i + 1).padStart(5, "0")}`).find((f) => !onList.has(f)) ?? "";
    const res = await north.post(`/app/lists/${listId}/items`, { _csrf: north.csrf, fileId, reason: "tip-off from the neighbouring office" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/app/lists/${listId}#item-6`);
    const [item] = await ctx.test.database.db.select().from(controlListItems).where(and(eq(controlListItems.listId, listId), eq(controlListItems.fileId, fileId)));
    expect(item).toMatchObject({ selectedBy: "manual", position: 6, note: "tip-off from the neighbouring office" });
    expect((await events("control_list.item.add")).map((e) => e.details)).toEqual([expect.objectContaining({ fileId })]);
    const again = await north.post(`/app/lists/${listId}/items`, { _csrf: north.csrf, fileId, reason: "tip-off from the neighbouring office" });
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/role="alert">[^<]*already on open list/);
  });

  it("another unit's file or a short reason is refused on the page, and nothing is written", async () => {
    const before = (await events("control_list.item.add")).length;
    const other = await north.post(`/app/lists/${listId}/items`, { _csrf: north.csrf, fileId: "south-00001", reason: "looks odd to me, please check" });
    expect(other.status).toBe(404);
    const html = await other.text();
    expect(html).toContain('id="add-file-id-error" class="error">There is no file south-00001 in this list&#39;s unit.');
    expect(html).toMatch(/id="add-file-id"[^>]*aria-invalid="true"/);
    const short = await north.post(`/app/lists/${listId}/items`, { _csrf: north.csrf, fileId: "north-00002", reason: "hunch" });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('id="add-reason-error" class="error">Say why in at least 10 characters.');
    expect(await events("control_list.item.add")).toHaveLength(before);
    const items = await ctx.test.database.db.select().from(controlListItems).where(eq(controlListItems.fileId, "south-00001"));
    expect(items).toHaveLength(0);
  });

  it("another unit's list: the skip form, a skip and an addition are the 403 page", async () => {
    const created = await ctx.request("POST", "/v1/control-lists", { key: await ctx.key("inspector", ["south"]), json: { unit: "south", capacity: 3 } });
    const south = (await created.json()) as { id: string; items: { fileId: string }[] };
    const fileId = south.items[0].fileId;
    // Counted before and after: other tests of this file skip and add on the north list.
    const [skipsBefore, addsBefore] = [(await events("control_list.item.skip")).length, (await events("control_list.item.add")).length];
    expect((await north.get(`/app/lists/${south.id}/items/${fileId}/skip`)).status).toBe(403);
    const skip = await north.post(`/app/lists/${south.id}/items/${fileId}/skip`, { _csrf: north.csrf, shownAt: "1", reason: "not my unit but trying anyway" });
    expect(skip.status).toBe(403);
    const add = await north.post(`/app/lists/${south.id}/items`, { _csrf: north.csrf, fileId: "south-00020", reason: "not my unit but trying anyway" });
    expect(add.status).toBe(403);
    expect(await events("control_list.item.skip")).toHaveLength(skipsBefore);
    expect(await events("control_list.item.add")).toHaveLength(addsBefore);
  });

  it("a post without the CSRF token is refused before anything changes", async () => {
    // A pending item of the list (earlier tests may have skipped some), and the events as they stand.
    const [pending] = await ctx.test.database.db
      .select()
      .from(controlListItems)
      .where(and(eq(controlListItems.listId, listId), eq(controlListItems.status, "pending")))
      .limit(1);
    const fileId = pending.fileId;
    const [skipsBefore, addsBefore] = [(await events("control_list.item.skip")).length, (await events("control_list.item.add")).length];
    const skip = await north.post(`/app/lists/${listId}/items/${encodeURIComponent(fileId)}/skip`, { shownAt: "1", reason: "no token on this form at all" });
    expect(skip.status).toBe(403);
    const add = await north.post(`/app/lists/${listId}/items`, { fileId: "north-00030", reason: "no token on this form at all" });
    expect(add.status).toBe(403);
    const [item] = await ctx.test.database.db.select().from(controlListItems).where(and(eq(controlListItems.listId, listId), eq(controlListItems.fileId, fileId)));
    expect(item.status).toBe("pending");
    expect(await events("control_list.item.skip")).toHaveLength(skipsBefore);
    expect(await events("control_list.item.add")).toHaveLength(addsBefore);
  });

});
