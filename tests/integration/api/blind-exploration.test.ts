import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/**
 * Blind exploration: nothing an inspector can call tells an exploration pick from a model pick. Every
 * operation of the OpenAPI document that inspectors may call is walked with real ids; no answer
 * carries the selection route, its probability, a score or a score-derived split, and the order an
 * inspector sees is independent of how the files were picked.
 */
const REVEALING_KEYS = new Set(["selectedBy", "selectionProbability", "selected_by", "selection_probability", "score", "contribution", "model", "exploration", "seed"]);

function revealingKeys(value: unknown, path = "body"): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => revealingKeys(v, `${path}.${i}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [...(REVEALING_KEYS.has(k) ? [`${path}.${k}`] : []), ...revealingKeys(v, `${path}.${k}`)]);
  }
  return [];
}

interface Item {
  position: number;
  fileId: string;
  score?: number;
  selectedBy?: string;
}
interface List {
  id: string;
  items: Item[];
}

describe("blind exploration in every inspector view", () => {
  let ctx: TestContext;
  let inspector: string;
  let auditor: string;
  const lists: List[] = [];

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 700 } });
    inspector = await ctx.key("inspector", ["north"]);
    auditor = await ctx.key("auditor");
    for (let seed = 1; seed <= 20; seed++) {
      const res = await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity: 20, explorationShare: 0.3, seed } });
      expect(res.status).toBe(201);
      lists.push((await res.json()) as List);
    }
  });
  afterAll(() => ctx.close());

  it("walks every inspector operation of the OpenAPI document: no answer reveals how a file was picked", async () => {
    const doc = (await (await ctx.request("GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, { "x-roles"?: string[] }>> };
    const list = lists[0];
    const [claimed, started, controlled] = list.items;
    const calls: { method: string; path: string; json?: unknown }[] = [];
    const [{ unlisted }] = await queryRows<{ unlisted: string }>(
      ctx.test.database.db,
      sql`select f.id as unlisted from files f where f.unit = 'north'
          and not exists (select 1 from control_list_items i where i.file_id = f.id) order by f.id limit 1`,
    );
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op["x-roles"]?.includes("inspector")) continue;
        const fileOf: Record<string, string> = { claim: claimed.fileId, start: started.fileId, outcome: controlled.fileId, skip: list.items[3].fileId };
        const action = template.split("/").at(-1) ?? "";
        const path = template
          .replace("{fileId}", fileOf[action] ?? claimed.fileId)
          .replace("{id}", template.startsWith("/v1/files") ? controlled.fileId : list.id);
        const bodies: Record<string, unknown> = {
          outcome: { outcome: 1, amount: 10 },
          skip: { reason: "no longer in business" },
          items: { fileId: unlisted, reason: "reported by a neighbour" },
          "control-lists": { unit: "north", capacity: 5 },
        };
        const json = method === "post" ? bodies[action] : undefined;
        calls.push({ method: method.toUpperCase(), path, json });
        if (template === "/v1/control-lists/{id}") calls.push({ method: "GET", path: `${path}?format=csv` });
      }
    }
    // Outcome first, so that the file page then shows an outcome recorded through a list; then the
    // file added by hand, before a new list could take it.
    const order = (c: { path: string; json?: unknown }) => (c.path.endsWith("/outcome") ? 2 : c.path.endsWith("/items") && c.json ? 1 : 0);
    calls.sort((a, b) => order(b) - order(a));
    expect(calls.length).toBeGreaterThanOrEqual(10);
    for (const call of calls) {
      const res = await ctx.request(call.method, call.path, { key: inspector, json: call.json });
      expect(res.status, `${call.method} ${call.path}`).toBeLessThan(300);
      const text = await res.text();
      if ((res.headers.get("content-type") ?? "").startsWith("text/csv")) {
        const header = text.split(/\r?\n/)[0].split(",");
        expect(header, call.path).not.toContain("score");
        expect(header.some((h) => h.startsWith("selected") || h.startsWith("selection")), call.path).toBe(false);
        expect(text, call.path).not.toMatch(/[+-]\d+\.\d{3}/); // no reason magnitudes
      } else {
        expect(revealingKeys(JSON.parse(text)), `${call.method} ${call.path}`).toEqual([]);
      }
    }
    // What inspectors do not see is still there for auditors.
    const full = (await (await ctx.request("GET", `/v1/control-lists/${list.id}`, { key: auditor })).json()) as List;
    expect(full.items.every((i) => i.selectedBy !== undefined && i.score !== undefined)).toBe(true);
    const file = (await (await ctx.request("GET", `/v1/files/${controlled.fileId}`, { key: auditor })).json()) as { outcomes: { selectedBy?: string }[] };
    expect(file.outcomes[0].selectedBy).toBeDefined();
  });

  it("orders an inspector's items independently of score and selection route, the same on every read", async () => {
    const normalized: { position: number; score: number; exploration: boolean }[] = [];
    const rankCorrelations: number[] = [];
    for (const list of lists) {
      const mine = (await (await ctx.request("GET", `/v1/control-lists/${list.id}`, { key: inspector })).json()) as List;
      const again = (await (await ctx.request("GET", `/v1/control-lists/${list.id}`, { key: inspector })).json()) as List;
      expect(again.items.map((i) => i.fileId)).toEqual(mine.items.map((i) => i.fileId));
      expect(mine.items.map((i) => i.position)).toEqual(mine.items.map((_, i) => i + 1));
      const full = (await (await ctx.request("GET", `/v1/control-lists/${list.id}`, { key: auditor })).json()) as List;
      const truth = new Map(full.items.map((i) => [i.fileId, i]));
      for (const item of mine.items) {
        const t = truth.get(item.fileId) as Item;
        normalized.push({ position: (item.position - 1) / (mine.items.length - 1), score: t.score as number, exploration: t.selectedBy === "exploration" });
      }
      // Within a list, model picks in score order would let an inspector tell them by their place.
      const modelPicks = mine.items.filter((i) => truth.get(i.fileId)?.selectedBy === "model");
      rankCorrelations.push(spearman(modelPicks.map((i) => i.position), modelPicks.map((i) => truth.get(i.fileId)?.score as number)));
    }
    const explorationPositions = normalized.filter((n) => n.exploration).map((n) => n.position);
    expect(explorationPositions.length).toBeGreaterThan(60);
    const mean = explorationPositions.reduce((a, b) => a + b, 0) / explorationPositions.length;
    // Uniform positions: mean 0.5, standard error about 0.29 / sqrt(n) ≈ 0.03 here.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.12);
    // Shuffled: about 0 on average (standard error about 0.28 / sqrt(20) ≈ 0.06); in rank order, -1.
    const meanCorrelation = rankCorrelations.reduce((a, b) => a + b, 0) / rankCorrelations.length;
    expect(Math.abs(meanCorrelation)).toBeLessThan(0.25);
  });
});

/** Spearman's rank correlation (no ties expected in positions; scores tie rarely). */
function spearman(a: number[], b: number[]): number {
  const ranks = (v: number[]) => {
    const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    order.forEach(([, i], k) => {
      r[i] = k;
    });
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}
