import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outcomes } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";

let ctx: TestContext;
let population: ScoredPopulation;
let north: WebClient;
let southListId: string;
let listId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  population = await buildScoredPopulation(ctx.test.database.db, { units: { north: 40, south: 30 } });
  const northKey = await ctx.key("inspector", ["north"], "Nina North");
  north = await webSignIn(ctx, northKey);
  // The list the page tests read, made here so that each test stands alone (the form test pulls its own).
  const made = await ctx.request("POST", "/v1/control-lists", { key: northKey, json: { unit: "north", capacity: 8 } });
  expect(made.status).toBe(201);
  listId = ((await made.json()) as { id: string }).id;
  const south = await ctx.request("POST", "/v1/control-lists", { key: await ctx.key("inspector", ["south"]), json: { unit: "south", capacity: 5 } });
  southListId = ((await south.json()) as { id: string }).id;
});
afterAll(() => ctx?.close());

const listIdFrom = (res: Response) => /\/app\/lists\/([0-9a-f-]{36})$/.exec(res.headers.get("location") ?? "")?.[1] ?? "";
const fileIds = (html: string) => [...html.matchAll(/data-file="([^"]+)"/g)].map((m) => m[1]);

describe("inspector pages", () => {

  it("pulls a list from the form: the API's rules, then the list page", async () => {
    const bad = await north.post("/app/lists", { _csrf: north.csrf, unit: "north", capacity: "0" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="capacity-error" class="error">[^<]+</);
    const res = await north.post("/app/lists", { _csrf: north.csrf, unit: "north", capacity: "8" });
    expect(res.status).toBe(303);
    const pulled = listIdFrom(res);
    expect(pulled).not.toBe("");
    const work = await (await north.get("/app/work")).text();
    expect(work).toContain(`/app/lists/${pulled}`);
    expect(work).toContain("0 / 8 done");
    // The unit's default capacity is now its last list's size.
    expect(work).toMatch(/name="capacity"[^>]*value="8"/);
  });

  it("an inspector cannot pull a list for another unit", async () => {
    const res = await north.post("/app/lists", { _csrf: north.csrf, unit: "south", capacity: "3" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Not allowed");
  });

  it("the list page shows the unit's files only, blind: no score, no route, no magnitudes", async () => {
    const res = await north.get(`/app/lists/${listId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const ids = fileIds(html);
    expect(ids).toHaveLength(8);
    expect(ids.every((id) => id.startsWith("north-"))).toBe(true);
    for (const f of population.files.filter((f) => f.unit === "south")) expect(html).not.toContain(f.id);
    expect(html).not.toMatch(/exploration|model pick|Score<\/th>|Picked by/i);
    expect(html).toContain("amount raises the risk");
    expect(html).not.toMatch(/\(0\.\d{3}\)/);
    // The page's read is audited (the list's creation event has the same target, so match the action).
    const reads = await ctx.test.database.db
      .select({ actor: auditEvents.actor })
      .from(auditEvents)
      .where(and(eq(auditEvents.target, listId), eq(auditEvents.action, "control_list.read")));
    expect(reads.length).toBeGreaterThan(0);
  });

  it("opening another unit's list is the 403 page", async () => {
    const res = await north.get(`/app/lists/${southListId}`);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('data-status="403"');
    expect(html).not.toContain("south-");
  });

  it("an outcome with errors comes back inline; a valid one updates the row and the progress", async () => {
    const page = await (await north.get(`/app/lists/${listId}`)).text();
    const fileId = fileIds(page)[2];
    const path = `/app/lists/${listId}/items/${encodeURIComponent(fileId)}/outcome`;
    const htmx = { "hx-request": "true" };
    const bad = await north.post(path, { _csrf: north.csrf, shownAt: "3", outcome: "", amount: "lots" }, htmx);
    expect(bad.status).toBe(200);
    expect(bad.headers.get("x-form-status")).toBe("422");
    const badHtml = await bad.text();
    expect(badHtml).toContain("Choose what the control found.");
    expect(badHtml).toMatch(/id="amount-error-3" class="error">Write the amount as a number/);
    expect(badHtml).toContain('value="lots"');
    const ok = await north.post(path, { _csrf: north.csrf, shownAt: "3", outcome: "1", amount: "1250.50", notes: "undeclared income" }, htmx);
    expect(ok.status).toBe(200);
    const okHtml = await ok.text();
    expect(okHtml).toContain('id="item-3"');
    expect(okHtml).toContain("Outcome recorded");
    expect(okHtml).toContain('hx-swap-oob="true"');
    expect(okHtml).toContain("1 of 8 done");
    expect(okHtml).toContain("1 irregularities found so far");
    const [row] = await ctx.test.database.db.select().from(outcomes).where(eq(outcomes.fileId, fileId));
    expect(row).toMatchObject({ outcome: 1, amount: 1250.5, notes: "undeclared income", controlListId: listId });
    const again = await north.post(path, { _csrf: north.csrf, shownAt: "3", outcome: "0" }, htmx);
    expect(again.headers.get("x-form-status")).toBe("409");
    expect(await again.text()).toContain("already recorded");
  });

  it("the outcome form comes on request: a page of its own without JavaScript, a fragment for htmx", async () => {
    const page = await (await north.get(`/app/lists/${listId}`)).text();
    expect(page).not.toContain('name="outcome"');
    const fileId = fileIds(page)[4];
    const path = `/app/lists/${listId}/items/${encodeURIComponent(fileId)}/outcome?shownAt=5`;
    expect(page).toContain(`href="${path}"`);
    const full = await (await north.get(path)).text();
    expect(full).toContain(`<h1>Outcome of file ${fileId}</h1>`);
    expect(full).toContain('<select id="outcome-5" name="outcome"');
    const fragment = await (await north.get(path, { "hx-request": "true" })).text();
    expect(fragment.startsWith('<div class="outcome">')).toBe(true);
    expect((await north.get(`/app/lists/${listId}/items/south-00001/outcome`)).status).toBe(404);
    expect((await north.get(`/app/lists/${southListId}/items/south-00001/outcome`)).status).toBe(403);
  });

  it("claims a file without JavaScript: a plain post, then back to the list", async () => {
    const page = await (await north.get(`/app/lists/${listId}`)).text();
    const fileId = fileIds(page)[0];
    const res = await north.post(`/app/lists/${listId}/items/${encodeURIComponent(fileId)}/claim`, { _csrf: north.csrf, shownAt: "1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/app/lists/${listId}#item-1`);
    const after = await (await north.get(`/app/lists/${listId}`)).text();
    expect(after).toMatch(new RegExp(`data-file="${fileId}"[\\s\\S]*?status-claimed`));
  });

  it("exports the CSV the API exports, as a recorded export, blind for inspectors", async () => {
    const res = await north.get(`/app/lists/${listId}/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(`control-list-${listId}.csv`);
    const csv = await res.text();
    const header = csv.replace(/^\uFEFF/, "").split("\r\n")[0] ?? csv.split("\n")[0];
    expect(header).toContain("file_id");
    expect(header).not.toMatch(/score|selected_by|selection_probability/);
    const exports = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, "control_list.export"));
    expect(exports.map((e) => e.target)).toContain(listId);
  });

  it("a file page of the unit shows attributes and controls; another unit's file is not found", async () => {
    const mine = await north.get("/app/files/north-00001");
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain("<dt>region</dt>");
    const other = await north.get("/app/files/south-00001");
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("<dt>region</dt>");
  });

  it("an auditor reads the same list with scores and how each file was picked, and a file's score history", async () => {
    const auditor = await webSignIn(ctx, await ctx.key("auditor"));
    const lookup = await auditor.get("/app/files?id=north-00003");
    expect(lookup.headers.get("location")).toBe("/app/files/north-00003");
    const file = await (await auditor.get("/app/files/north-00003")).text();
    expect(file).toContain("Score history");
    expect(file).toMatch(/<td class="num">\d+\.\d%<\/td>/);
    const html = await (await auditor.get(`/app/lists/${listId}`)).text();
    expect(html).toContain("Picked by");
    expect(html).toMatch(/\d+\.\d%/);
    expect(html).not.toContain("Record outcome");
  });
});
