import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/** Edges of lists: changes to one list's items that arrive at once, and a run whose scores are gone. */
describe("control list edges", () => {
  let ctx: TestContext;
  let inspector: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 300 } });
    inspector = await ctx.key("inspector", ["north"]);
  });
  afterAll(() => ctx.close());

  const newList = async (capacity: number) =>
    (await (await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity } })).json()) as {
      id: string;
      items: { fileId: string }[];
    };
  const outcome = (listId: string, fileId: string) =>
    ctx.request("POST", `/v1/control-lists/${listId}/items/${fileId}/outcome`, { key: inspector, json: { outcome: 0 } });

  it("outcomes recorded all at once close the list exactly once, and nothing lands on it afterwards", async () => {
    for (let round = 0; round < 5; round++) {
      const list = await newList(8);
      const answers = await Promise.all(list.items.map((i) => outcome(list.id, i.fileId)));
      expect(answers.map((a) => a.status)).toEqual(list.items.map(() => 201));
      const closed = (await Promise.all(answers.map((a) => a.json()))) as { listClosed: boolean }[];
      expect(closed.filter((c) => c.listClosed)).toHaveLength(1);
      const [row] = await queryRows<{ status: string; outcomes: number }>(
        ctx.test.database.db,
        sql`select l.status, (select count(*)::int from outcomes o where o.control_list_id = l.id) as outcomes
            from control_lists l where l.id = ${list.id}`,
      );
      expect(row).toEqual({ status: "closed", outcomes: 8 });
      // A claim on the closed list is refused.
      const claim = await ctx.request("POST", `/v1/control-lists/${list.id}/items/${list.items[0].fileId}/claim`, { key: inspector });
      expect(claim.status).toBe(409);
    }
  });

  it("a list from a run whose scores retention dropped is a 409 that says so, and stores nothing", async () => {
    // Its own database: dropping the run's scores would leave the other test with no scores.
    const own = await createTestContext("postgres");
    onTestFinished(() => own.close());
    const { runId } = await buildScoredPopulation(own.test.database.db, { units: { north: 40 } });
    const pick = await own.key("inspector", ["north"]);
    const admin = await own.key("admin");
    const newList = () => own.request("POST", "/v1/control-lists", { key: pick, json: { unit: "north", capacity: 5 } });
    expect((await newList()).status).toBe(201);
    expect((await own.request("DELETE", `/v1/scoring-runs/${runId}/scores`, { key: admin })).status).toBe(200);
    const count = async () => (await queryRows<{ n: number }>(own.test.database.db, sql`select count(*)::int as n from control_lists`))[0].n;
    const before = await count();
    const res = await newList();
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ detail: expect.stringMatching(/dropped by retention/), reason: "scores_dropped", runId });
    expect(await count()).toBe(before);
  });
});
