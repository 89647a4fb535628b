import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoSchema } from "../../../data/demo/schema.js";
import { toNumber } from "../../../models/coerce.js";
import { accumulate, driftReport, emptyAccumulator } from "../../../models/drift.js";
import { type DriftReference, DriftReferenceSchema, type DriftReport } from "../../../models/drift-schema.js";
import { type AttributeValue, featureAttributes } from "../../../models/feature-schema.js";
import { queryRows } from "../../../services/db/client.js";
import { auditEvents, models, scoringChunks } from "../../../services/db/schema/index.js";
import { createLogger } from "../../../services/logger.js";
import { startWorkers } from "../../../services/worker/worker.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { expectProblem } from "../../helpers/problem.js";
import { type RunJson, startRun, waitForRun } from "../../helpers/scoring.js";
import { waitForModel } from "../../helpers/training.js";
import { loadDemo, SMALL_PARAMS } from "../models/model-fixtures.js";

type DriftRun = RunJson & { drift: DriftReport | null; driftAlarm: boolean | null };

describe("drift of each scoring run against the model's training population", () => {
  let ctx: TestContext;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let cli: CliTarget;
  let officer: string;
  let reviewer: string;
  let modelId: string;
  let reference: DriftReference;
  let first: DriftRun;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { TFJS_BACKEND: "wasm", SCORING_CHUNK_SIZE: "700" });
    await loadDemo(ctx.test.database.db, { files: 3000 });
    workers = await startWorkers({ database: ctx.test.database, connection: ctx.redis, config: ctx.config, logger: createLogger("silent") });
    officer = await ctx.key("data_officer", [], "Dora Officer");
    reviewer = await ctx.key("data_officer", [], "Rex Reviewer");
    cli = await serveForCli(ctx);
    const res = await ctx.request("POST", "/v1/models", { key: officer, json: { split: "random", seed: 2, params: SMALL_PARAMS } });
    modelId = ((await res.json()) as { id: string }).id;
    const model = await waitForModel(ctx, officer, modelId);
    expect(model.status).toBe("trained");
    const [row] = await ctx.test.database.db.select({ ref: models.driftReference }).from(models).where(eq(models.id, modelId));
    reference = DriftReferenceSchema.parse(row.ref);
    first = (await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId, shadow: true })).id)) as DriftRun;
    expect(first.status, first.error ?? "").toBe("completed");
  }, 180_000);

  afterAll(async () => {
    await cli?.close();
    await workers?.close();
    await ctx?.close();
  });

  it("stores the training reference with the model: every feature, and the validation scores", async () => {
    const features = featureAttributes(demoSchema()).map((a) => a.name);
    expect(reference.features.map((f) => f.name)).toEqual(features);
    const model = await waitForModel(ctx, officer, modelId);
    expect(reference.rows).toBe(model.counts!.files);
    expect(reference.score.n).toBe(model.counts!.validation);
    for (const f of reference.features) expect(f.counts.reduce((s, c) => s + c, 0) + f.missing).toBe(reference.rows);
  });

  it("keeps each chunk's counts and the run's merged report, equal to one pass over the scored files", async () => {
    expect(first.totalChunks).toBeGreaterThan(3);
    const chunks = await ctx.test.database.db.select({ drift: scoringChunks.drift, n: scoringChunks.n }).from(scoringChunks).where(eq(scoringChunks.runId, first.id));
    expect(chunks).toHaveLength(first.totalChunks);
    expect(chunks.every((c) => (c.drift as { n: number }).n === c.n)).toBe(true);
    expect(first.drift!.rows).toBe(first.totalFiles);
    // One pass over what the run scored, with the stored reference: the same report.
    const rows = await queryRows<{ attributes: Record<string, AttributeValue>; score: number }>(
      ctx.test.database.db,
      sql`select f.attributes, s.score from scores s join files f on f.id = s.file_id where s.run_id = ${first.id}::uuid`,
    );
    const specs = featureAttributes(demoSchema());
    const columns = Object.fromEntries(
      specs.map((a) => [a.name, a.type === "numeric" ? Float64Array.from(rows, (r) => toNumber(r.attributes[a.name])) : rows.map((r) => r.attributes[a.name] ?? null)]),
    );
    const types = Object.fromEntries(specs.map((a) => [a.name, a.type]));
    const once = driftReport(reference, accumulate(reference, emptyAccumulator(reference), types, columns, Float64Array.from(rows, (r) => r.score)));
    expect(first.drift!.features.map((f) => [f.name, f.psi])).toEqual(once.features.map((f) => [f.name, f.psi]));
    expect(first.drift!.prediction.psi).toBeCloseTo(once.prediction.psi, 12);
    expect(first.driftAlarm).toBe(first.drift!.alarm);
  });

  it("an alarm on a shifted population: in the run's status, its audit event and the CLI; approval then warns", async () => {
    // Turnover multiplied by 50 and a sector nobody trained on: today's files are not the training population.
    await ctx.test.database.db.execute(sql`
      update files set attributes = attributes
        || jsonb_build_object('turnover', (attributes->>'turnover')::float8 * 50)
        || case when right(id, 1) in ('1', '2', '3') then jsonb_build_object('sector', 'space tourism') else '{}'::jsonb end`);
    const run = (await waitForRun(ctx, officer, (await startRun(ctx, officer, { modelId, shadow: true })).id)) as DriftRun;
    expect(run.status).toBe("completed");
    expect(run.driftAlarm).toBe(true);
    const turnover = run.drift!.features.find((f) => f.name === "turnover")!;
    expect(turnover.band).toBe("alarm");
    const sector = run.drift!.features.find((f) => f.name === "sector")!;
    expect(sector.unseenLevels).toContain("space tourism");
    expect(sector.unseen).toBeGreaterThan(0);
    expect(run.drift!.alarms.some((a) => a.startsWith("turnover: PSI"))).toBe(true);

    const [event] = await ctx.test.database.db
      .select({ details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "scoring_run.complete"), eq(auditEvents.target, run.id)));
    const details = event.details as { drift: { alarm: boolean; alarms: string[]; psi: Record<string, number> } };
    expect(details.drift.alarm).toBe(true);
    expect(details.drift.alarms).toEqual(run.drift!.alarms);
    expect(details.drift.psi.turnover).toBe(turnover.psi);

    // `cts score` ends with the drift verdict on stderr; stdout stays the run's JSON.
    const scored = await cli.cts(officer, "score", "--model", modelId, "--shadow");
    expect(scored.stderr).toMatch(/drift: ALARM against the training population \(3000 files\): .*turnover: PSI/);
    expect(JSON.parse(scored.stdout).driftAlarm).toBe(true);
    const table = (await cli.cts(officer, "score", "drift", run.id)).stdout;
    expect(table).toContain("drift: ALARM against the training population");
    expect(table).toMatch(/^turnover\s+\d+\.\d{3}\s+ALARM/m);

    // The model's latest run alarms: approving it needs an override, and the warning is kept.
    const refused = await expectProblem(await ctx.request("POST", `/v1/models/${modelId}/approve`, { key: reviewer, json: { justification: "looks good on paper" } }), 409);
    // The warning names the model's latest run: the one `cts score` just made.
    expect(refused.detail).toContain(`its training population has drifted: scoring run ${JSON.parse(scored.stdout).id}`);
    const ok = await ctx.request("POST", `/v1/models/${modelId}/approve`, { key: reviewer, json: { justification: "drift understood, retraining next week", override: true } });
    expect(ok.status).toBe(200);
    const approved = (await ok.json()) as { approvalWarnings: string[] };
    expect(approved.approvalWarnings.some((w) => w.includes("raised a drift alarm on") && w.includes("turnover: PSI"))).toBe(true);
  });
});
