import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";

type Item = { fileId: string; status: string; note?: string | null; selectedBy?: string; selectionProbability?: number | null; score?: number | null };
type List = { id: string; items: Item[] };

/** Human oversight of a list: an inspector adds a file by hand or skips an item, each with a reason. */
describe("manual picks and skips", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  let inspector: string;
  let auditor: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    // The skip test has a unit of its own: its lists take most of their unit's files, which would
    // leave the other tests nothing to pick in some orders.
    pop = await buildScoredPopulation(ctx.test.database.db, { units: { north: 60, south: 20, east: 60 } });
    inspector = await ctx.key("inspector", ["north"]);
    auditor = await ctx.key("auditor");
  });
  afterAll(() => ctx.close());

  const db = () => ctx.test.database.db;
  const newList = async (capacity: number, unit = "north", key = inspector) =>
    (await (await ctx.request("POST", "/v1/control-lists", { key, json: { unit, capacity, explorationShare: 0 } })).json()) as List;
  const add = (listId: string, json: unknown) => ctx.request("POST", `/v1/control-lists/${listId}/items`, { key: inspector, json });
  const skip = (listId: string, fileId: string, reason: string, key = inspector) =>
    ctx.request("POST", `/v1/control-lists/${listId}/items/${fileId}/skip`, { key, json: { reason } });
  const asAuditor = async (listId: string) => (await (await ctx.request("GET", `/v1/control-lists/${listId}`, { key: auditor })).json()) as List;

  it("adds a file of the unit by hand, last, as a manual pick without propensity, with its reason on the trail", async () => {
    const list = await newList(5);
    const onList = new Set(list.items.map((i) => i.fileId));
    const chosen = pop.files.find((f) => f.unit === "north" && !onList.has(f.id))!;
    const res = await add(list.id, { fileId: chosen.id, reason: "tip-off from the regional office" });
    expect(res.status).toBe(201);
    const item = (await res.json()) as Item;
    // The inspector's answer shows neither route nor score, like every other item.
    expect(item).not.toHaveProperty("selectedBy");
    expect(item).toMatchObject({ fileId: chosen.id, status: "pending", note: "tip-off from the regional office" });
    const stored = (await asAuditor(list.id)).items.find((i) => i.fileId === chosen.id)!;
    expect(stored).toMatchObject({ selectedBy: "manual", selectionProbability: null, score: chosen.score });
    const events = await queryRows<{ details: { fileId: string; note: string; position: number } }>(
      db(),
      sql`select details from audit_events where action = 'control_list.item.add' and target = ${list.id}`,
    );
    expect(events.map((e) => e.details)).toEqual([{ fileId: chosen.id, note: "tip-off from the regional office", position: 6 }]);

    // Its outcome keeps the manual route and no probability, so propensity estimates leave it out.
    const recorded = await ctx.request("POST", `/v1/control-lists/${list.id}/items/${chosen.id}/outcome`, { key: inspector, json: { outcome: 1 } });
    expect(recorded.status).toBe(201);
    const [outcome] = await queryRows<{ selected_by: string; selection_probability: number | null }>(
      db(),
      sql`select selected_by, selection_probability from outcomes where control_list_id = ${list.id} and file_id = ${chosen.id}`,
    );
    expect(outcome).toEqual({ selected_by: "manual", selection_probability: null });
  });

  it("refuses a file of another unit (404), one already on an open list (409) and a missing reason (422)", async () => {
    const list = await newList(3);
    const other = pop.files.find((f) => f.unit === "south")!;
    await expectProblem(await add(list.id, { fileId: other.id, reason: "looks suspicious to me" }), 404);
    await expectProblem(await add(list.id, { fileId: list.items[0].fileId, reason: "looks suspicious to me" }), 409);
    const problem = await expectProblem(await add(list.id, { fileId: list.items[0].fileId, reason: "why" }), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(["reason"]);
  });

  it("skips an item with its reason: finished for the list, free for the next one, no outcome possible", async () => {
    const east = await ctx.key("inspector", ["east"]);
    const list = await newList(2, "east", east);
    const [first, second] = list.items;
    const res = await skip(list.id, first.fileId, "file closed: the company was dissolved", east);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ item: { status: "skipped", note: "file closed: the company was dissolved" }, listClosed: false });
    // Skipping again is the same answer; recording an outcome on it is refused.
    expect((await skip(list.id, first.fileId, "file closed: the company was dissolved", east)).status).toBe(200);
    await expectProblem(await ctx.request("POST", `/v1/control-lists/${list.id}/items/${first.fileId}/outcome`, { key: east, json: { outcome: 0 } }), 409);
    const summary = (await (await ctx.request("GET", `/v1/control-lists/${list.id}/summary`, { key: east })).json()) as {
      total: { items: number; done: number; skipped: number; pending: number };
    };
    expect(summary.total).toMatchObject({ items: 2, done: 0, skipped: 1, pending: 1 });
    // The skipped file is eligible again, so the next list may hold it; the other is still pending.
    const [{ eligibleAgain }] = await queryRows<{ eligibleAgain: boolean }>(
      db(),
      sql`select not exists (select 1 from control_list_items i join control_lists l on l.id = i.list_id
                             where i.file_id = ${first.fileId} and l.status = 'open' and i.status not in ('done', 'skipped')) as "eligibleAgain"`,
    );
    expect(eligibleAgain).toBe(true);
    const next = await newList(60, "east", east);
    expect(next.items.map((i) => i.fileId)).toContain(first.fileId);
    expect(next.items.map((i) => i.fileId)).not.toContain(second.fileId);
    // Skipping the last open item closes the list.
    const last = await skip(list.id, second.fileId, "inspector on sick leave this week", east);
    expect(await last.json()).toMatchObject({ listClosed: true });
    const events = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from audit_events where action = 'control_list.item.skip' and target = ${list.id}`);
    expect(events[0].n).toBe(2);
  });
});
