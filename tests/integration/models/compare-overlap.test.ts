import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outcomes } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { serveForCli } from "../../helpers/cli.js";
import { expectProblem } from "../../helpers/problem.js";
import { addScoringRun, buildScoredPopulation, type ScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn } from "../../helpers/web.js";
import { insertModel, prefixOf } from "./model-fixtures.js";

/**
 * GET /v1/models/compare?listSize: the overlap of two models' lists, on a population small enough
 * to check by hand. Units: north n0..n5, south s0..s2, east e0..e1 (scored by A only).
 * A ranks each unit in id order; B ranks north n1, n2, then n3 and n4 tied (n3 first: ties go by
 * file id), and south in reverse. At 3 files per unit:
 *   north  A {n0, n1, n2}  B {n1, n2, n3}  both {n1, n2}  only A {n0}  only B {n3}  Jaccard 2/4
 *   south  A {s0, s1, s2}  B {s2, s1, s0}  both all three                            Jaccard 3/3
 *   total  both 5, only A 1, only B 1, union 7, Jaccard 5/7; east left out (A only).
 * Latest outcomes: n0 0, n1 1, n3 1 (an older 0 is superseded), s0 1, s2 0, n5 1 (picked by neither).
 *   A: n0 0, n1 1, s0 1, s2 0 → 2/4;  B: n1 1, n3 1, s0 1, s2 0 → 3/4;  both: n1, s0, s2 → 2/3;
 *   only A: n0 → 0/1;  only B: n3 → 1/1.
 */
let ctx: TestContext;
let officer: string;
let population: ScoredPopulation;
let modelB: string;

const id = (unit: string, k: number) => `${unit}-${String(k).padStart(5, "0")}`;

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.test.database.db;
  const withinUnit = [0, 1, 2, 3, 4, 5, 0, 1, 2, 0, 1];
  population = await buildScoredPopulation(db, { units: { north: 6, south: 3, east: 2 }, scoreOf: (i) => 0.9 - 0.1 * withinUnit[i] });
  officer = await ctx.key("data_officer", [], "Olga Officer");
  modelB = await insertModel(db, { status: "trained", trainedBy: prefixOf(officer), name: "B" });
  const bScores: Record<string, number> = { [id("north", 1)]: 0.95, [id("north", 2)]: 0.9, [id("north", 3)]: 0.85, [id("north", 4)]: 0.85, [id("south", 0)]: 0.1, [id("south", 1)]: 0.2, [id("south", 2)]: 0.3 };
  const northAndSouth = population.files.filter((f) => f.unit !== "east");
  await addScoringRun(db, modelB, northAndSouth, { shadow: true, scoreOf: (f) => bScores[f.id] ?? 0.05 });
  const known: [string, number, string][] = [
    [id("north", 0), 0, "2026-03-01"],
    [id("north", 1), 1, "2026-03-01"],
    [id("north", 3), 0, "2025-01-01"],
    [id("north", 3), 1, "2026-03-01"],
    [id("south", 0), 1, "2026-03-01"],
    [id("south", 2), 0, "2026-03-01"],
    [id("north", 5), 1, "2026-03-01"],
  ];
  const unitOf = new Map(population.files.map((f) => [f.id, f.unit]));
  await db.insert(outcomes).values(known.map(([fileId, outcome, controlledAt]) => ({ fileId, unit: unitOf.get(fileId), outcome, controlledAt, recordedBy: "test" })));
});
afterAll(() => ctx?.close());

const compare = (query: string, key = officer) => ctx.request("GET", `/v1/models/compare?${query}`, { key });

describe("GET /v1/models/compare with a list size", () => {
  it("gives the overlap of the two lists per unit and in total, with each set's hit rate on known outcomes", async () => {
    const res = await compare(`ids=${population.modelId},${modelB}&listSize=3`);
    expect(res.status).toBe(200);
    const { overlap } = (await res.json()) as { overlap: any };
    expect(overlap).toMatchObject({ capacity: 3, modelA: population.modelId, modelB, runA: population.runId, unitsLeftOut: [{ unit: "east", scoredBy: "a" }] });
    const [north, south] = overlap.units;
    expect(north).toMatchObject({ unit: "north", union: 4, jaccard: 0.5, both: { files: 2 }, onlyA: { files: 1 }, onlyB: { files: 1 } });
    expect(south).toMatchObject({ unit: "south", union: 3, jaccard: 1, both: { files: 3 }, onlyA: { files: 0 }, onlyB: { files: 0 } });
    const t = overlap.total;
    expect(t.union).toBe(7);
    expect(t.jaccard).toBeCloseTo(5 / 7, 12);
    expect(t.a).toEqual({ files: 6, known: 4, hits: 2, hitRate: 0.5 });
    expect(t.b).toEqual({ files: 6, known: 4, hits: 3, hitRate: 0.75 });
    expect(t.both).toEqual({ files: 5, known: 3, hits: 2, hitRate: 2 / 3 });
    expect(t.onlyA).toEqual({ files: 1, known: 1, hits: 0, hitRate: 0 });
    expect(t.onlyB).toEqual({ files: 1, known: 1, hits: 1, hitRate: 1 });
  });

  it("is the same list at a list size that covers every unit, and null without one", async () => {
    const all = (await (await compare(`ids=${population.modelId},${modelB}&listSize=1000`)).json()) as { overlap: any };
    expect(all.overlap.total).toMatchObject({ union: 9, jaccard: 1, onlyA: { files: 0 }, onlyB: { files: 0 } });
    const none = (await (await compare(`ids=${population.modelId},${modelB}`)).json()) as { overlap: unknown };
    expect(none.overlap).toBeNull();
  });

  it("answers 422 for a list size that is not a list's, 409 for a model never scored, 403 to an inspector", async () => {
    const ids = `ids=${population.modelId},${modelB}`;
    for (const bad of ["0", "1001", "2.5", "ten"]) expect((await expectProblem(await compare(`${ids}&listSize=${bad}`), 422)).errors?.[0].path).toBe("listSize");
    const unscored = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    const p = await expectProblem(await compare(`ids=${population.modelId},${unscored}&listSize=3`), 409);
    expect(p.detail).toContain(`model ${unscored} has no completed scoring run`);
    await expectProblem(await compare(`${ids}&listSize=3`, await ctx.key("inspector", ["north"])), 403);
  });
});

describe("GET /app/models/compare (the page)", () => {
  it("shows the overlap in words and by set, refuses a bad list size inline, and says when a model was never scored", async () => {
    const web = await webSignIn(ctx, officer);
    const page = await web.get(`/app/models/compare?id=${population.modelId}&id=${modelB}&listSize=3`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const a = population.modelId.slice(0, 8);
    expect(html).toContain(`Of the 7 files either would pick, both would pick 5 (Jaccard 71.4%); only ${a} would pick 1, only B 1.`);
    expect(html).toMatch(/data-set="onlyB"><th scope="row">Only B would pick<\/th><td class="num">1<\/td><td class="num">1 of 1 known \(100.0%\)<\/td>/);
    expect(html).toMatch(/data-set="a">.*?2 of 4 known \(50.0%\)/);
    expect(html).toContain("Left out, scored by one model only: east");
    const bad = await web.get(`/app/models/compare?id=${population.modelId}&id=${modelB}&listSize=0`);
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Write a whole number of files from 1 to 1,000");
    const unscored = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    const missing = await (await web.get(`/app/models/compare?id=${population.modelId}&id=${unscored}`)).text();
    expect(missing).toContain(`No overlap of their lists: model ${unscored} has no completed scoring run`);
  });
});

describe("cts models compare --list-size", () => {
  it("prints the comparison with the overlap of the two lists", async () => {
    const served = await serveForCli(ctx);
    try {
      const out = JSON.parse((await served.cts(officer, "models", "compare", population.modelId, modelB, "--list-size", "3")).stdout);
      expect(out.overlap.total).toMatchObject({ union: 7, both: { files: 5 }, onlyA: { files: 1 }, onlyB: { files: 1 } });
    } finally {
      await served.close();
    }
  });
});
