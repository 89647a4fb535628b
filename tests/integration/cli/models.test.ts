import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { loadDemo } from "../models/model-fixtures.js";


describe("cts models train|show|list|approve|retire|compare", () => {
  let ctx: TestContext;
  let cli: CliTarget;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let trainer: string;
  let reviewer: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm" });
    await loadDemo(ctx.test.database.db, { files: 4000 });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    trainer = await ctx.key("data_officer", [], "Cli Trainer");
    reviewer = await ctx.key("data_officer", [], "Cli Reviewer");
    cli = await serveForCli(ctx);
  });
  afterAll(async () => {
    await cli.close();
    await workers.close();
    await ctx.close();
  });

  const cts = (key: string, ...args: string[]) => cli.cts(key, ...args);

  it("trains with --wait (progress on stderr, the model on stdout), then approves, compares and retires", async () => {
    const params = ["--split", "random", "--param", "hiddenUnits=8", "--param", "layers=1", "--param", "maxEpochs=10", "--param", "batchSize=64"];
    const trained = await cts(trainer, "models", "train", "--name", "cli", "--wait", "--json", ...params);
    const model = JSON.parse(trained.stdout);
    expect(model.status).toBe("trained");
    expect(model.params.train).toMatchObject({ hiddenUnits: 8, layers: 1, maxEpochs: 10 });
    // A progress line with the epoch's figures: an intermediate one, or only the last when training
    // finishes between two polls (it can, on a fast machine or a busy one).
    expect(trained.stderr).toMatch(/epoch \d+\/\d+( \([^)]*\))? loss \d\.\d{3} val PR-AUC \d\.\d{3}/);
    // The bar's last line ends at the epoch training stopped at, says why, with the stored figures.
    const stopped = model.metrics.training.history.length;
    const last = trained.stderr.trim().split(/\r|\n/).pop()!;
    expect(last).toContain(`epoch ${stopped}/${stopped} (`);
    expect(last).toMatch(/\((early stop|last epoch|training budget) of 10, best epoch \d+\)/);
    expect(last).toContain(`ROC-AUC ${model.metrics.validation.aucRoc.toFixed(3)}`);
    expect(last).toContain("[##############################]");

    // Without --json, a readable verdict table (a few dozen lines, not thousands of JSON lines).
    const table = (await cts(trainer, "models", "show", model.id)).stdout;
    expect(table).toContain(`verdict on ${model.counts.validation} validation files with ${model.counts.validationPositives} positives`);
    expect(table).toMatch(/^ROC-AUC\s+0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]\s+0\.\d{3}\s+[+-]0\.\d{3} \[[+-]0\.\d{3}, [+-]0\.\d{3}\]\s+(better|tie|WORSE)\s+0\.\d{3}/m);
    expect(table).toMatch(/^precision @ 10%\s/m);
    expect(table).toMatch(/(beats|does not clearly beat) logistic regression: ROC-AUC/);
    expect(table.split("\n").length).toBeLessThan(40);

    const other = JSON.parse((await cts(trainer, "models", "train", ...params, "--seed", "9")).stdout);
    expect(other.id).toMatch(/^[0-9a-f-]{36}$/);

    await expect(cts(trainer, "models", "approve", model.id, "--justification", "my own model, approved by me")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("four eyes"),
    });
    const guarded = model.metrics.verdict.comparisons[1].figures[0].difference.low <= 0 || model.metrics.verdict.positives < 30;
    if (guarded) {
      await expect(cts(reviewer, "models", "approve", model.id, "--justification", "clear lift over the baselines")).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("override"),
      });
    }
    const approved = JSON.parse((await cts(reviewer, "models", "approve", model.id, "--justification", "clear lift over the baselines", "--override")).stdout);
    expect(approved.approvalWarnings === null).toBe(!guarded);
    expect(approved.status).toBe("active");

    const listed = JSON.parse((await cts(reviewer, "models", "list")).stdout);
    expect(listed.items.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([model.id, other.id]));
    const shown = JSON.parse((await cts(reviewer, "models", "show", model.id, "--json")).stdout);
    expect(shown.metrics.validation.aucRoc).toBeGreaterThan(0.5);
    const compared = JSON.parse((await cts(reviewer, "models", "compare", model.id, other.id)).stdout);
    expect(compared.models.map((m: { id: string }) => m.id)).toEqual([model.id, other.id]);
    expect(JSON.parse((await cts(reviewer, "models", "retire", model.id)).stdout).status).toBe("retired");
  });
});
