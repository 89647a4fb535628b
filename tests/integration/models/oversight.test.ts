import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { insertModel, prefixOf } from "./model-fixtures.js";

const WHY = { justification: "complaints about unit north's picks: stop until reviewed" };

describe("human oversight: suspending the active model", () => {
  let ctx: TestContext;
  let officer: string;
  let reviewer: string;
  let inspector: string;
  let modelId: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    ({ modelId } = await buildScoredPopulation(ctx.test.database.db, { units: { north: 40 } }));
    officer = await ctx.key("data_officer", [], "Olga");
    reviewer = await ctx.key("data_officer", [], "Oscar");
    inspector = await ctx.key("inspector", ["north"]);
  });
  afterAll(() => ctx.close());

  const newList = () => ctx.request("POST", "/v1/control-lists", { key: inspector, json: { unit: "north", capacity: 3 } });

  it("stops list creation with the reason until the model is resumed, each step audited", async () => {
    expect((await newList()).status).toBe(201);
    const suspended = await ctx.request("POST", `/v1/models/${modelId}/suspend`, { key: officer, json: WHY });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ status: "suspended", suspendedBy: prefixOf(officer), suspensionJustification: WHY.justification });
    const refused = await newList();
    expect(refused.status).toBe(409);
    const problem = (await refused.json()) as { detail: string; reason: string; modelId: string };
    expect(problem.detail).toContain(WHY.justification);
    expect(problem).toMatchObject({ reason: "model_suspended", modelId });
    // Only the active model can be suspended; an inspector may not.
    await expectProblem(await ctx.request("POST", `/v1/models/${modelId}/suspend`, { key: officer, json: WHY }), 409);
    await expectProblem(await ctx.request("POST", `/v1/models/${modelId}/suspend`, { key: inspector, json: WHY }), 403);
    const resumed = await ctx.request("POST", `/v1/models/${modelId}/resume`, { key: reviewer, json: { justification: "reviewed: the picks were right" } });
    expect(resumed.status).toBe(200);
    expect((await newList()).status).toBe(201);
    const actions = (await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.target, modelId))).map((e) => e.action);
    expect(actions).toEqual(["model.suspend", "model.resume"]);
  });

  it("approving another model ends a suspension (the suspended one is retired)", async () => {
    await ctx.request("POST", `/v1/models/${modelId}/suspend`, { key: officer, json: WHY });
    const next = await insertModel(ctx.test.database.db, { status: "trained", trainedBy: prefixOf(officer) });
    const approved = await ctx.request("POST", `/v1/models/${next}/approve`, { key: reviewer, json: { justification: "replaces the suspended model" } });
    expect(approved.status).toBe(200);
    const old = (await (await ctx.request("GET", `/v1/models/${modelId}`, { key: officer })).json()) as { status: string };
    expect(old.status).toBe("retired");
    // The new model has no scoring run yet: a 409 that says so, no longer the suspension.
    const refused = await expectProblem(await newList(), 409);
    expect(refused.detail).not.toContain("suspended");
  });
});
