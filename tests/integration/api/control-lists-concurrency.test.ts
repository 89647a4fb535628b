import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { List } from "../../helpers/control-list-json.js";
import { postCsv } from "../../helpers/ingest.js";
import { expectProblem } from "../../helpers/problem.js";
import { buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";

/** Lists built at once, by other processes, or over files that move between units (split from control-lists.test.ts). */
describe("control lists built concurrently", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    // A unit per scenario that changes its unit's state, so each test stands alone in any order.
    pop = await buildScoredPopulation(ctx.test.database.db, { units: { east: 120, west: 40, south: 40 } });
  });
  afterAll(() => ctx.close());

  it("20 lists of one unit built at once never share a file, and each is stored as answered with its one audit event", async () => {
    const key = await ctx.key("inspector", ["east"]);
    const auditor = await ctx.key("auditor");
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, seed) => ctx.request("POST", "/v1/control-lists", { key, json: { unit: "east", capacity: 5, explorationShare: 0.4, seed } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    const lists = await Promise.all(responses.map(async (r) => List.parse(await r.json())));
    const files = lists.flatMap((l) => l.items.map((i) => i.fileId));
    expect(new Set(files).size).toBe(100);
    for (const made of lists) {
      const stored = List.parse(await (await ctx.request("GET", `/v1/control-lists/${made.id}`, { key })).json());
      expect(stored).toEqual(made);
    }
    const events = await queryRows<{ target: string; files: number }>(
      ctx.test.database.db,
      // This test's lists only: other tests of the file may have built lists before it.
      sql`select target, (details->>'files')::int as files from audit_events
          where action = 'control_list.create' and target = any(${`{${lists.map((l) => l.id).join(",")}}`}::text[])`,
    );
    expect(events.map((e) => e.target).sort()).toEqual(lists.map((l) => l.id).sort());
    expect(events.every((e) => e.files === 5)).toBe(true);
    const verify = (await (await ctx.request("GET", "/v1/audit/verify", { key: auditor })).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
  });

  it("builds a unit's list under the unit's lock: a list committed by its holder meanwhile is excluded", async () => {
    // Another process holds the lock of unit east and stores a list of east's best files; a
    // list requested meanwhile waits for that commit, then must not hold any of those files.
    const database = ctx.test.database;
    if (database.driver !== "postgres") throw new Error("this test needs Postgres's pool");
    const key = await ctx.key("inspector", ["east"]);
    const eligible = async () => {
      const [row] = await queryRows<{ files: string[] }>(
        database.db,
        sql`select array(select f.id from files f where f.unit = 'east' and not exists (
              select 1 from control_list_items i join control_lists l on l.id = i.list_id
              where i.file_id = f.id and l.status = 'open' and i.status <> 'done')) as files`,
      );
      return new Set(row.files);
    };
    const eligibleNow = await eligible();
    const ranked = pop.files.filter((f) => f.unit === "east" && eligibleNow.has(f.id)).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const held = ranked.slice(0, 3);
    let response: Promise<Response> | undefined;
    let waited = 0;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('cts-control-list:east'))`);
      const id = randomUUID();
      await tx.execute(sql`insert into control_lists (id, unit, params, run_id, model_id, seed, created_by)
                           values (${id}, 'east', '{}', ${pop.runId}, ${pop.modelId}, 1, 'other process')`);
      for (const [i, f] of held.entries()) {
        await tx.execute(sql`insert into control_list_items (list_id, file_id, position, score, selected_by, selection_probability, reasons)
                             values (${id}, ${f.id}, ${i + 1}, ${f.score}, 'model', 1, '[]')`);
      }
      response = ctx.request("POST", "/v1/control-lists", { key, json: { unit: "east", capacity: 3, explorationShare: 0 } });
      // Commit only once the request waits on the unit's lock. Postgres signals no lock wait, so
      // pg_stat_activity is polled (every 5 ms, at most 20 s) for this positive condition, from
      // outside this transaction: inside one, Postgres keeps its first read of the activity
      // statistics (stats_fetch_consistency), so a request not yet waiting then is never seen waiting.
      const until = Date.now() + 20_000;
      while (waited === 0) {
        if (Date.now() > until) throw new Error("the list request never waited on the unit's advisory lock");
        await delay(5);
        [{ waiting: waited }] = await queryRows<{ waiting: number }>(
          database.db,
          sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event = 'advisory'`,
        );
      }
    });
    const made = List.parse(await (response as Promise<Response>).then((r) => r.json()));
    expect(waited).toBe(1);
    expect(made.items.map((i) => i.fileId).sort()).toEqual(ranked.slice(3, 6).map((f) => f.id).sort());
    expect(made.items.some((i) => held.some((h) => h.id === i.fileId))).toBe(false);
  });

  it("excludes files put on an open list by someone else (another API process) since this process's last list", async () => {
    const key = await ctx.key("inspector", ["west"]);
    const ranked = pop.files.filter((f) => f.unit === "west").sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    const make = async () => List.parse(await (await ctx.request("POST", "/v1/control-lists", { key, json: { unit: "west", capacity: 5, explorationShare: 0 } })).json());
    const first = await make();
    const ids = (list: z.infer<typeof List>) => list.items.map((i) => i.fileId).sort();
    const idsOf = (files: typeof ranked) => files.map((f) => f.id).sort();
    expect(ids(first)).toEqual(idsOf(ranked.slice(0, 5)));
    // Another process stores a list holding the next five files (its own statements, not this process's cache).
    const db = ctx.test.database.db;
    await db.execute(sql`insert into control_lists (id, unit, params, run_id, model_id, seed, created_by)
                         values ('00000000-0000-4000-8000-000000000001', 'west', '{}', ${pop.runId}, ${pop.modelId}, 1, 'other')`);
    for (const [i, f] of ranked.slice(5, 10).entries()) {
      await db.execute(sql`insert into control_list_items (list_id, file_id, position, score, selected_by, selection_probability, reasons)
                           values ('00000000-0000-4000-8000-000000000001', ${f.id}, ${i + 1}, ${f.score}, 'model', 1, '[]')`);
    }
    expect(ids(await make())).toEqual(idsOf(ranked.slice(10, 15)));
    // Closing that list (an update, by any path) frees its files again.
    await db.execute(sql`update control_lists set status = 'closed' where id = '00000000-0000-4000-8000-000000000001'`);
    expect(ids(await make())).toEqual(idsOf(ranked.slice(5, 10)));
  });

  it("a file controlled in one unit, then moved into another by an import, stays excluded there for the window", async () => {
    const officer = await ctx.key("data_officer");
    const file = pop.files.find((f) => f.unit === "east") as (typeof pop.files)[number];
    const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    expect((await postCsv(ctx, "/v1/outcomes/import", officer, `file_id,controlled_at,outcome\n${file.id},${monthAgo},1\n`)).status).toBe(200);
    const move = `id,unit,region,amount\n${file.id},harbour,${file.attributes.region},${file.attributes.amount}\n`;
    const moved = await postCsv(ctx, "/v1/files/import", officer, move);
    expect(moved.status).toBe(200);
    const [row] = await queryRows<{ unit: string; moved: boolean; outcome_unit: string }>(
      ctx.test.database.db,
      sql`select f.unit, f.moved_at is not null as moved, o.unit as outcome_unit from files f join outcomes o on o.file_id = f.id
          where f.id = ${file.id} and o.controlled_at = ${monthAgo}::date`,
    );
    // The control keeps the unit it was recorded in; the file says when it moved.
    expect(row).toEqual({ unit: "harbour", moved: true, outcome_unit: "east" });
    const harbour = await ctx.key("inspector", ["harbour"]);
    const make = (exclusionDays: number) =>
      ctx.request("POST", "/v1/control-lists", { key: harbour, json: { unit: "harbour", capacity: 5, explorationShare: 0, exclusionDays } });
    expect((await expectProblem(await make(365), 409)).detail).toMatch(/no file of unit "harbour" is eligible/);
    // The same file is listed once the window no longer reaches its control.
    const list = List.parse(await (await make(7)).json());
    expect(list.items.map((i) => i.fileId)).toEqual([file.id]);
  });

  it("a file moved to another unit after its unit's pool was ranked is never listed there: 409, then a list without it", async () => {
    const key = await ctx.key("inspector", ["south"]);
    const make = () => ctx.request("POST", "/v1/control-lists", { key, json: { unit: "south", capacity: 40, explorationShare: 0 } });
    const first = List.parse(await (await make()).json());
    // Free the unit again, then move one of its files away.
    await ctx.test.database.db.execute(sql`update control_lists set status = 'closed' where unit = 'south'`);
    const moved = first.items[0].fileId;
    await ctx.test.database.db.execute(sql`update files set unit = 'harbour-2' where id = ${moved}`);
    expect((await expectProblem(await make(), 409)).detail).toMatch(/moved to another unit/);
    const again = List.parse(await (await make()).json());
    expect(again.items.length).toBeGreaterThan(0);
    expect(again.items.map((i) => i.fileId)).not.toContain(moved);
  });
});
