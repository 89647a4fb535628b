import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../services/config.js";
import { createLogger } from "../../../services/logger.js";
import { loadDemoIfEmpty } from "../../../services/runtime/load-demo.js";
import { verdictWarnings } from "../../../services/policy/approval.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { waitForModel } from "../../helpers/training.js";

/**
 * The first run teaches the right thing: the demo population `npm start` loads by default, trained
 * with the default parameters and split, gives a model that beats logistic regression and a random
 * order on ROC-AUC and precision at 10 % beyond their bootstrap intervals, on enough validation
 * positives, so its approval needs no override.
 */
describe("the default demo's first model", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let officer: string;
  const defaults = parseConfig({});

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
    await loadDemoIfEmpty(ctx.test.database, { files: defaults.DEMO_FILES, seed: defaults.DEMO_SEED, logger: createLogger("silent") });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Demo Officer");
  }, 180_000);

  afterAll(async () => {
    await workers?.close();
    await ctx?.close();
  });

  it("beats logistic regression and random at capacity, with intervals, and needs no override", async () => {
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { name: "first" } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const model = await waitForModel(ctx, officer, id, { timeoutMs: 170_000 });
    expect(model.error).toBeNull();
    const verdict = model.metrics!.verdict;
    expect(verdict.positives).toBeGreaterThanOrEqual(100);
    for (const baseline of ["random", "logistic"]) {
      const c = verdict.comparisons.find((x: { baseline: string }) => x.baseline === baseline);
      const figure = (name: string, capacity: number | null) => c.figures.find((f: { figure: string; capacity: number | null }) => f.figure === name && f.capacity === capacity);
      expect(figure("aucRoc", null).difference.low, `ROC-AUC over ${baseline}`).toBeGreaterThan(0);
      expect(figure("precision", 0.1).difference.low, `precision at 10 % over ${baseline}`).toBeGreaterThan(0);
      expect(c.beats).toBe(true);
    }
    expect(verdictWarnings(model.metrics)).toEqual([]);
  }, 180_000);
});
