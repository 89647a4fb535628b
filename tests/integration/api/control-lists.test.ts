import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { Item, List } from "../../helpers/control-list-json.js";
import { expectProblem } from "../../helpers/problem.js";
import { addScoringRun, buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";


describe("control lists", () => {
  let ctx: TestContext;
  let pop: ScoredPopulation;
  let north: string;
  let south: string;
  let auditor: string;

  // A fresh database per test: each test's figures (eligible counts, propensities, the lists
  // an auditor sees) are those of the population as built, whatever ran before it.
  beforeEach(async () => {
    ctx = await createTestContext("postgres");
    pop = await buildScoredPopulation(ctx.test.database.db, { units: { north: 200, south: 60 } });
    north = await ctx.key("inspector", ["north"]);
    south = await ctx.key("inspector", ["south"]);
    auditor = await ctx.key("auditor");
  });
  afterEach(() => ctx.close());

  const db = () => ctx.test.database.db;
  const create = (key: string, json: unknown) => ctx.request("POST", "/v1/control-lists", { key, json });
  const read = async (key: string, id: string) => List.parse(await (await ctx.request("GET", `/v1/control-lists/${id}`, { key })).json());

  it("POST /v1/control-lists builds capacity items from the run, with reasons, and audits it (201)", async () => {
    const res = await create(north, { unit: "north", capacity: 20, explorationShare: 0.25, seed: 42 });
    expect(res.status).toBe(201);
    const list = List.parse(await res.json());
    expect(list.runId).toBe(pop.runId);
    expect(list.items).toHaveLength(20);
    expect(list.items.every((i) => i.fileId.startsWith("north-") && i.reasons.length === 2)).toBe(true);
    // The inspector view does not say how a file was picked: no route, no score, no magnitudes.
    expect(list.items[0].reasons).toEqual([
      { attribute: "amount", direction: "raises" },
      { attribute: "region", direction: "lowers" },
    ]);
    expect(list.items.some((i) => "selectedBy" in i || "selectionProbability" in i || "score" in i)).toBe(false);
    const full = await read(auditor, list.id);
    const top = full.items[0] as z.infer<typeof Item> & { score: number };
    expect(top.reasons).toEqual([
      { attribute: "amount", contribution: top.score / 2, direction: "raises" },
      { attribute: "region", contribution: -top.score / 4, direction: "lowers" },
    ]);
    expect(full.items.filter((i) => i.selectedBy === "exploration")).toHaveLength(5);
    for (const i of full.items.filter((x) => x.selectedBy === "exploration")) expect(i.selectionProbability).toBe(5 / (200 - 15));
    const [event] = await queryRows<{ actor: string; details: Record<string, unknown> }>(
      db(),
      sql`select actor, details from audit_events where action = 'control_list.create' and target = ${list.id}`,
    );
    expect(event.details).toMatchObject({ unit: "north", files: 20, capacity: 20, explorationShare: 0.25, seed: 42 });
  });

  it("excludes files on open lists and controlled within the window", async () => {
    const [recent] = pop.files.filter((f) => f.unit === "south").sort((a, b) => b.score - a.score);
    await db().execute(sql`insert into outcomes (file_id, unit, controlled_at, outcome, recorded_by) values (${recent.id}, (select unit from files where id = ${recent.id}), current_date - 30, 1, 'test')`);
    const first = List.parse(await (await create(south, { unit: "south", capacity: 25, seed: 1 })).json());
    expect(first.items.map((i) => i.fileId)).not.toContain(recent.id);
    const second = List.parse(await (await create(south, { unit: "south", capacity: 50, seed: 2 })).json());
    const taken = new Set(first.items.map((i) => i.fileId));
    expect(second.items).toHaveLength(60 - 1 - 25);
    expect(second.items.some((i) => taken.has(i.fileId) || i.fileId === recent.id)).toBe(false);
    // With exclusionDays 0 the old control no longer counts, but the open lists still do.
    const eligible = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from control_list_items`);
    expect(eligible[0].n).toBeGreaterThan(0);
    const third = await create(south, { unit: "south", capacity: 5, exclusionDays: 0, seed: 3 });
    expect(third.status).toBe(201);
    expect(List.parse(await third.json()).items.map((i) => i.fileId)).toEqual([recent.id]);
  });

  it("filters by categorical attributes and ranks by yield", async () => {
    const res = await create(north, { unit: "north", capacity: 5, explorationShare: 0, ranking: "yield", filters: { region: ["hills"] }, seed: 9 });
    const list = List.parse(await res.json());
    const byId = new Map(pop.files.map((f) => [f.id, f]));
    expect(list.items.every((i) => byId.get(i.fileId)!.attributes.region === "hills")).toBe(true);
    // By yield in the auditor's view (inspectors see neither scores nor rank order).
    const full = await read(auditor, list.id);
    const yields = full.items.map((i) => (i.score as number) * byId.get(i.fileId)!.attributes.amount);
    expect(yields.every(Number.isFinite)).toBe(true);
    expect(yields).toEqual([...yields].sort((a, b) => b - a));
    await expectProblem(await create(north, { unit: "north", capacity: 5, filters: { amount: ["1"] } }), 422);
  });

  it("GET /v1/control-lists/:id returns the same snapshot after a newer run (200)", async () => {
    const made = List.parse(await (await create(north, { unit: "north", capacity: 10, seed: 5 })).json());
    const newer = await addScoringRun(db(), pop.modelId, pop.files, { scoreOf: (_f, i) => 1 - i / 1000 });
    const again = await read(north, made.id);
    expect(again.items).toEqual(made.items);
    const fresh = List.parse(await (await create(north, { unit: "north", capacity: 3, seed: 5 })).json());
    expect(fresh.runId).toBe(newer);
  });

  it("scopes inspectors to their units (403) and lets auditors read all but not write", async () => {
    const mine = List.parse(await (await create(north, { unit: "north", capacity: 2 })).json());
    expect((await create(south, { unit: "south", capacity: 2 })).status).toBe(201);
    await expectProblem(await ctx.request("GET", `/v1/control-lists/${mine.id}`, { key: south }), 403);
    await expectProblem(await create(south, { unit: "north", capacity: 2 }), 403);
    await expectProblem(await create(auditor, { unit: "north", capacity: 2 }), 403);
    await expectProblem(await ctx.request("POST", `/v1/control-lists/${mine.id}/items/${mine.items[0].fileId}/claim`, { key: auditor }), 403);
    const southLists = z.object({ items: z.array(z.object({ unit: z.string() })) }).parse(
      await (await ctx.request("GET", "/v1/control-lists", { key: south })).json(),
    );
    expect(southLists.items.length).toBeGreaterThan(0);
    expect(southLists.items.every((l) => l.unit === "south")).toBe(true);
    const all = z.object({ items: z.array(z.object({ unit: z.string() })) }).parse(
      await (await ctx.request("GET", "/v1/control-lists?limit=200", { key: auditor })).json(),
    );
    expect(new Set(all.items.map((l) => l.unit))).toEqual(new Set(["north", "south"]));
  });

  it("POST .../outcome writes exactly one outcome with the item's provenance; twice 409; not on list 404", async () => {
    const list = List.parse(await (await create(north, { unit: "north", capacity: 4, explorationShare: 0.5, seed: 77 })).json());
    const full = await read(auditor, list.id);
    const explore = full.items.find((i) => i.selectedBy === "exploration")!;
    const path = `/v1/control-lists/${list.id}/items/${explore.fileId}`;
    expect((await ctx.request("POST", `${path}/claim`, { key: north })).status).toBe(200);
    expect((await ctx.request("POST", `${path}/start`, { key: north })).status).toBe(200);
    const res = await ctx.request("POST", `${path}/outcome`, { key: north, json: { outcome: 1, amount: 1200, notes: "=found" } });
    expect(res.status).toBe(201);
    const rows = await queryRows<{ selected_by: string; selection_probability: number; control_list_id: string; outcome: number; notes: string }>(
      db(),
      sql`select selected_by, selection_probability, control_list_id, outcome, notes from outcomes where file_id = ${explore.fileId}`,
    );
    expect(rows).toEqual([
      { selected_by: "exploration", selection_probability: explore.selectionProbability, control_list_id: list.id, outcome: 1, notes: "=found" },
    ]);
    await expectProblem(await ctx.request("POST", `${path}/outcome`, { key: north, json: { outcome: 0 } }), 409);
    await expectProblem(await ctx.request("POST", `/v1/control-lists/${list.id}/items/south-00001/outcome`, { key: north, json: { outcome: 0 } }), 404);
    const summary = await (await ctx.request("GET", `/v1/control-lists/${list.id}/summary`, { key: auditor })).json();
    expect(summary).toMatchObject({ total: { items: 4, done: 1, pending: 3, hits: 1, hitRate: 1 }, exploration: { items: 2, done: 1 }, model: { items: 2, done: 0 } });
    // Inspectors see the progress, never its split by selection route.
    const theirs = (await (await ctx.request("GET", `/v1/control-lists/${list.id}/summary`, { key: north })).json()) as Record<string, unknown>;
    expect(theirs).toMatchObject({ total: { items: 4, done: 1, hits: 1 } });
    expect(Object.keys(theirs).sort()).toEqual(["id", "manual", "status", "total"]);
    for (const item of full.items.filter((i) => i.fileId !== explore.fileId)) {
      await ctx.request("POST", `/v1/control-lists/${list.id}/items/${item.fileId}/outcome`, { key: north, json: { outcome: 0 } });
    }
    expect((await read(north, list.id)).status).toBe("closed");
  });

  it("GET /:id?format=csv streams a CSV that escapes formulas and round-trips through csv-parse", async () => {
    await db().execute(sql`insert into files (id, unit, attributes) values ('=cmd|calc', 'formula', '{"region":"city","amount":1}'), ('@sum', 'formula', '{}'), ('plain', 'formula', '{}')`);
    await addScoringRun(db(), pop.modelId, [
      { id: "=cmd|calc", unit: "formula", score: 0.9, attributes: { region: "city", amount: 1 } },
      { id: "@sum", unit: "formula", score: 0.8, attributes: { region: "city", amount: 1 } },
      { id: "plain", unit: "formula", score: 0.7, attributes: { region: "city", amount: 1 } },
    ]);
    const formula = await ctx.key("inspector", ["formula"]);
    const list = List.parse(await (await create(formula, { unit: "formula", capacity: 3 })).json());
    for (const opts of [
      { path: `?format=csv`, headers: {} as Record<string, string> },
      { path: "", headers: { accept: "text/csv" } },
    ]) {
      const res = await ctx.request("GET", `/v1/control-lists/${list.id}${opts.path}`, { key: formula, headers: opts.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      const records = parse(await res.text(), { columns: true }) as Record<string, string>[];
      // The inspector's export: a fixed shuffle, positions renumbered, no score or route, reasons in words.
      expect(records.map((r) => r.file_id).sort()).toEqual(["'=cmd|calc", "'@sum", "plain"]);
      expect(records.map((r) => r.position)).toEqual(["1", "2", "3"]);
      expect(records[0].reasons).toBe("amount raises; region lowers");
      expect(Object.keys(records[0])).not.toContain("selected_by");
      expect(Object.keys(records[0])).not.toContain("score");
    }
    // The auditor's export: by score, with the scores (4 decimals), the reasons' magnitudes, the
    // route, the list's provenance on every row and the attributes asked for; BOM and CRLF.
    const res = await ctx.request("GET", `/v1/control-lists/${list.id}?format=csv&attributes=region,amount&bom=true`, { key: auditor });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    expect(text.split("\r\n")[0]).toBe(
      "list_id,unit,model_id,run_id,list_created_at,position,file_id,score,unit_rank,status,assigned_to,reasons,selected_by,selection_probability,region,amount",
    );
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.file_id)).toEqual(["'=cmd|calc", "'@sum", "plain"]);
    expect(records.map((r) => Number(r.score))).toEqual([0.9, 0.8, 0.7]);
    expect(records.map((r) => r.unit_rank)).toEqual(["1 of 3", "2 of 3", "3 of 3"]);
    expect(records[0]).toMatchObject({ list_id: list.id, unit: "formula", model_id: pop.modelId, region: "city", amount: "1" });
    expect(records[0].reasons).toBe(`amount +${0.9 / 2}; region ${-0.9 / 4}`);
    expect(records[0].selected_by).toBe("model");
    const audited = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from audit_events where action = 'control_list.export' and target = ${list.id}`);
    expect(audited[0].n).toBe(3);
  });

  it("bad inputs give 422 problems naming the field", async () => {
    for (const [body, path] of [
      [{ unit: "north", capacity: 0 }, "capacity"],
      [{ unit: "north", capacity: 1001 }, "capacity"],
      [{ unit: "north", capacity: 5, explorationShare: 1 }, "explorationShare"],
      [{ unit: "north", capacity: 5, explorationShare: -0.1 }, "explorationShare"],
    ] as const) {
      const problem = await expectProblem(await create(north, body), 422);
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    const ghost = await ctx.key("inspector", ["ghost"]);
    const problem = await expectProblem(await create(ghost, { unit: "ghost", capacity: 5 }), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(["unit"]);
  });
});


describe("control lists without a usable run", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
  });
  afterAll(() => ctx.close());

  it("POST /v1/control-lists answers 409 when the only run is older than the active model, and when there is none", async () => {
    const db = ctx.test.database.db;
    await buildScoredPopulation(db, {
      units: { east: 10 },
      runUnits: ["east"],
      runCreatedAt: new Date(Date.now() - 7_200_000),
      activatedAt: new Date(Date.now() - 3_600_000),
    });
    const east = await ctx.key("inspector", ["east"]);
    const stale = await expectProblem(await ctx.request("POST", "/v1/control-lists", { key: east, json: { unit: "east", capacity: 3 } }), 409);
    expect(stale.detail).toMatch(/older than the active model/);
    await db.execute(sql`insert into files (id, unit, attributes) values ('west-1', 'west', '{}')`);
    const west = await ctx.key("inspector", ["west"]);
    const none = await expectProblem(await ctx.request("POST", "/v1/control-lists", { key: west, json: { unit: "west", capacity: 3 } }), 409);
    expect(none.detail).toMatch(/no completed non-shadow scoring run/);
  });
});

describe("control lists on embedded PGlite", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("pglite");
  });
  afterAll(() => ctx.close());

  it("POST /v1/control-lists then GET /:id and an outcome work in embedded mode (201, 200, 201)", async () => {
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 40 } });
    const key = await ctx.key("inspector", ["north"]);
    const res = await ctx.request("POST", "/v1/control-lists", { key, json: { unit: "north", capacity: 10, seed: 4 } });
    expect(res.status).toBe(201);
    const list = List.parse(await res.json());
    expect(list.items).toHaveLength(10);
    expect((await ctx.request("GET", `/v1/control-lists/${list.id}`, { key })).status).toBe(200);
    const outcome = await ctx.request("POST", `/v1/control-lists/${list.id}/items/${list.items[0].fileId}/outcome`, { key, json: { outcome: 0 } });
    expect(outcome.status).toBe(201);
  });
});
