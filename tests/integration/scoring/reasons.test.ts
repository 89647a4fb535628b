import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoRow, demoPopulation } from "../../../data/demo/generate.js";
import { mulberry32 } from "../../../models/index.js";
import { createLogger } from "../../../services/logger.js";
import { type RunningWorkers, startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";
import { startRun, waitForRun } from "../../helpers/scoring.js";
import { insertTrainedModel } from "../../helpers/trained-model.js";
import { webSignIn } from "../../helpers/web.js";
import { formatValue } from "../../../models/reason-words.js";

let ctx: TestContext;

/**
 * Replaces bank_accounts by a draw independent of every other attribute (demo attributes are
 * correlated, e.g. amount_at_stake with turnover, so a proxy could honestly share the credit).
 */
const plant = (row: DemoRow): DemoRow => {
  const index = Number(row.file.id.slice(1));
  return { ...row, file: { ...row.file, attributes: { ...row.file.attributes, bank_accounts: 1 + Math.floor(mulberry32(index * 7 + 1)() * 10) } } };
};
let workers: RunningWorkers;

beforeAll(async () => {
  ctx = await createTestContext("postgres", { SCORING_CHUNK_SIZE: "1000" });
  await insertDemoFiles(ctx.test.database, { files: 2000, map: plant });
  workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
});

afterAll(async () => {
  await workers?.close();
  await ctx?.close();
});

describe("score reasons (gradient × (input − baseline), grouped by attribute)", () => {
  it("name the one attribute the outcome depends on as the top reason", async () => {
    // Labels depend on the planted bank_accounts only (8 or more → irregular), with 3 % label noise.
    const rows = [...demoPopulation({ files: 6000, seed: 5 })].map((r) => plant(r).file.attributes);
    const rand = mulberry32(3);
    const y = Uint8Array.from(rows.map((r) => ((Number(r.bank_accounts) >= 8) !== rand() < 0.03 ? 1 : 0)));
    const model = await insertTrainedModel(ctx.test.database.db, { status: "trained", rows, y, params: { maxEpochs: 15 } });

    const officer = await ctx.key("data_officer");
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId: model.id, scope: { all: true } })).id);
    expect(run.status).toBe("completed");
    const sql = ctx.test.database.driver === "postgres" ? ctx.test.database.sql : null;
    const top = await sql!`select reasons->0->>0 as attribute from scores where run_id = ${run.id} order by score desc limit 100`;
    expect(top).toHaveLength(100);
    expect(top.every((r) => r.attribute === "bank_accounts")).toBe(true);
    const [share] = await sql!`select avg((reasons->0->>0 = 'bank_accounts')::int)::float as share from scores where run_id = ${run.id}`;
    expect(share.share).toBeGreaterThan(0.8);
  });

  it("a list gives each pick's reasons in words: label, the file's value, the model's typical value, the direction", async () => {
    const rows = [...demoPopulation({ files: 6000, seed: 5 })].map((r) => plant(r).file.attributes);
    const rand = mulberry32(4);
    const y = Uint8Array.from(rows.map((r) => ((Number(r.bank_accounts) >= 8) !== rand() < 0.03 ? 1 : 0)));
    const model = await insertTrainedModel(ctx.test.database.db, { status: "active", rows, y, params: { maxEpochs: 15 } });
    const officer = await ctx.key("data_officer");
    const run = await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId: model.id, scope: { all: true } })).id);
    expect(run.status).toBe("completed");
    const sql = ctx.test.database.driver === "postgres" ? ctx.test.database.sql : null;
    const [{ unit }] = await sql!`select unit from files group by unit order by count(*) desc limit 1`;
    const inspector = await ctx.key("inspector", [unit]);
    const response = await ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit, capacity: 10, explorationShare: 0 } });
    expect(response.status).toBe(201);
    const list = (await response.json()) as { id: string; items: { fileId: string; reasons: { attribute: string; direction: string }[]; explanation: Record<string, unknown>[] }[] };
    const typical = model.encoder.attributes.find((a) => a.name === "bank_accounts")?.typical;
    const values = new Map(
      (await sql!`select id, (attributes->>'bank_accounts')::int as v from files where id in ${sql!(list.items.map((i) => i.fileId))}`).map((r) => [r.id, r.v]),
    );
    for (const item of list.items) {
      expect(item.explanation.map((r) => r.attribute)).toEqual(item.reasons.map((r) => r.attribute));
      const words = item.explanation[0];
      expect(words).toMatchObject({ attribute: "bank_accounts", label: "bank accounts", value: values.get(item.fileId), reference: typical });
      expect(words.direction).toBe(item.reasons[0].direction);
      const comparison = (values.get(item.fileId) as number) > (typical as number) ? "above" : "below";
      expect(words.text).toBe(`bank accounts ${values.get(item.fileId)}, ${comparison} the typical ${typical}: ${words.direction} the risk`);
    }
    // The riskiest files have many accounts: the reason reads as raising the risk.
    expect(list.items.filter((i) => i.explanation[0].direction === "raises").length).toBeGreaterThanOrEqual(8);

    // On the list page the numbers in the words follow the reader's language (Accept-Language).
    const web = await webSignIn(ctx, inspector);
    const german = await (await web.get(`/app/lists/${list.id}`, { "accept-language": "de-DE,de;q=0.9" })).text();
    const english = await (await web.get(`/app/lists/${list.id}`)).text();
    const numeric = model.encoder.attributes.filter((a) => a.type === "numeric" && list.items.some((i) => i.explanation.some((r) => r.attribute === a.name)));
    const differing = numeric.filter((a) => formatValue(a, a.typical, "de") !== formatValue(a, a.typical, "en"));
    expect(differing.length).toBeGreaterThan(0);
    for (const a of differing) {
      expect(german).toContain(`typical ${formatValue(a, a.typical, "de")}`);
      expect(english).toContain(`typical ${formatValue(a, a.typical, "en")}`);
    }
  });
});
