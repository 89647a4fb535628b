import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

const Created = z.object({ id: z.string(), items: z.array(z.object({ fileId: z.string() })) });

/**
 * The property "no excluded file ever appears" against the real eligibility query: random
 * histories of past controls (inside and outside the window) and of open lists, then a new list.
 * The pure selection is checked over many more cases in tests/unit/lists/select.test.ts.
 */
describe("POST /v1/control-lists eligibility (property, real Postgres)", () => {
  let ctx: TestContext;
  let key: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { prop: 120 } });
    key = await ctx.key("inspector", ["prop"]);
  });
  afterAll(() => ctx.close());

  it("never lists a file controlled within the window or pending on an open list", async () => {
    const db = ctx.test.database.db;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ file: fc.integer({ min: 0, max: 119 }), daysAgo: fc.integer({ min: 0, max: 800 }) }), { maxLength: 25 }),
        fc.integer({ min: 30, max: 400 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        async (history, exclusionDays, capacity, closeOne) => {
          for (const h of history) {
            const id = `prop-${String(h.file).padStart(5, "0")}`;
            await db.execute(sql`insert into outcomes (file_id, unit, controlled_at, outcome, recorded_by) values (${id}, (select unit from files where id = ${id}), current_date - ${h.daysAgo}::int, 0, 'history')`);
          }
          // Closing a list now and then frees its files again, so open and closed lists both occur.
          if (closeOne) await db.execute(sql`update control_lists set status = 'closed' where id = (select id from control_lists where status = 'open' order by created_at limit 1)`);
          const excluded = new Set(
            (
              await queryRows<{ file_id: string }>(
                db,
                sql`select file_id from outcomes where controlled_at >= current_date - ${exclusionDays}::int
                    union select i.file_id from control_list_items i join control_lists l on l.id = i.list_id
                      where l.status = 'open' and i.status <> 'done'`,
              )
            ).map((r) => r.file_id),
          );
          const res = await ctx.request("POST", "/v1/control-lists", { key, json: { unit: "prop", capacity, exclusionDays, explorationShare: 0.3 } });
          if (excluded.size >= 120) {
            expect(res.status).toBe(409);
            return;
          }
          expect(res.status).toBe(201);
          const list = Created.parse(await res.json());
          expect(list.items.length).toBe(Math.min(capacity, 120 - excluded.size));
          expect(list.items.filter((i) => excluded.has(i.fileId))).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
