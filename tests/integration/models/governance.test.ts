import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, models } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { insertModel, prefixOf } from "./model-fixtures.js";
import type { ModelBody } from "../../helpers/training.js";

const JUSTIFICATION = { justification: "validated on the 2025 controls" };

describe("model governance: four-eyes approval, single active model, retire", () => {
  let ctx: TestContext;
  let trainer: string;
  let reviewer: string;
  let third: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    trainer = await ctx.key("data_officer", [], "Tom Trainer");
    reviewer = await ctx.key("data_officer", [], "Rita Reviewer");
    third = await ctx.key("data_officer", [], "Theo Third");
  });

  afterAll(async () => {
    await ctx?.close();
  });

  const db = () => ctx.test.database.db;
  const approve = (id: string, key: string) => ctx.request("POST", `/v1/models/${id}/approve`, { key, json: JUSTIFICATION });
  const activeIds = async () => (await db().select({ id: models.id }).from(models).where(eq(models.status, "active"))).map((r) => r.id);

  it("POST /v1/models/:id/approve answers 403 to the officer who trained it, also under a second key of the same name", async () => {
    const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    const own = await expectProblem(await approve(id, trainer), 403);
    expect(own.detail).toMatch(/four eyes/);
    const sameName = await ctx.key("data_officer", [], "tom trainer ");
    await expectProblem(await approve(id, sameName), 403);
    // The same name written with a zero-width space, or in full-width letters, is the same person.
    for (const disguised of ["Tom\u200bTrainer".replace("\u200b", " \u200b"), "ＴＯＭ　ＴＲＡＩＮＥＲ", "Tom\u00adTrainer".replace("\u00ad", " \u00ad")]) {
      const key = await ctx.key("data_officer", [], disguised);
      await expectProblem(await approve(id, key), 403);
    }
    const [row] = await db().select({ status: models.status }).from(models).where(eq(models.id, id));
    expect(row.status).toBe("trained");
    // Every refusal is on the trail, although no approval happened.
    const refused = await db().select().from(auditEvents).where(eq(auditEvents.action, "model.approve.refused"));
    expect(refused.filter((e) => e.target === id)).toHaveLength(5);
  });

  it("approving makes the model active and retires the previous active model, with audit events", async () => {
    const a = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    const b = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    const resA = await approve(a, reviewer);
    expect(resA.status).toBe(200);
    const bodyA = (await resA.json()) as ModelBody & { approvedBy: string; approvalJustification: string };
    expect(bodyA.status).toBe("active");
    expect(bodyA.approvedBy).toBe(prefixOf(reviewer));
    expect(bodyA.approvalJustification).toBe(JUSTIFICATION.justification);

    expect((await approve(b, reviewer)).status).toBe(200);
    expect(await activeIds()).toEqual([b]);
    const [oldA] = await db().select({ status: models.status }).from(models).where(eq(models.id, a));
    expect(oldA.status).toBe("retired");
    const events = await db().select({ action: auditEvents.action, target: auditEvents.target }).from(auditEvents);
    expect(events).toEqual(expect.arrayContaining([
      { action: "model.approve", target: a },
      { action: "model.approve", target: b },
      { action: "model.retire", target: a },
    ]));
  });

  it("two concurrent approvals of different models leave exactly one active model", async () => {
    for (let round = 0; round < 5; round++) {
      const x = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
      const y = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
      const [rx, ry] = await Promise.all([approve(x, reviewer), approve(y, third)]);
      expect([rx.status, ry.status].every((s) => s === 200 || s === 409)).toBe(true);
      const active = await activeIds();
      expect(active).toHaveLength(1);
      expect([x, y]).toContain(active[0]);
    }
  });

  it("two concurrent approvals of the same model: one succeeds, the other is a 409 problem", async () => {
    const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    const answers = await Promise.all([approve(id, reviewer), approve(id, third)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    await expectProblem(answers.find((r) => r.status === 409)!, 409);
    expect(await activeIds()).toEqual([id]);
  });

  it("invalid transitions are 409 problems; retire works from trained and active", async () => {
    const failed = await insertModel(db(), { status: "failed", trainedBy: prefixOf(trainer) });
    await expectProblem(await approve(failed, reviewer), 409);
    await expectProblem(await ctx.request("POST", `/v1/models/${failed}/retire`, { key: reviewer }), 409);
    const training = await insertModel(db(), { status: "training", trainedBy: prefixOf(trainer) });
    await expectProblem(await approve(training, reviewer), 409);

    const [active] = await activeIds();
    const retired = await ctx.request("POST", `/v1/models/${active}/retire`, { key: reviewer });
    expect(retired.status).toBe(200);
    expect(((await retired.json()) as ModelBody).status).toBe("retired");
    expect(await activeIds()).toEqual([]);
    await expectProblem(await approve(active, reviewer), 409);
    await expectProblem(await ctx.request("POST", `/v1/models/${active}/retire`, { key: reviewer }), 409);
    await expectProblem(await ctx.request("POST", `/v1/models/${active}/cancel`, { key: reviewer }), 409);

    const trained = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    expect((await ctx.request("POST", `/v1/models/${trained}/retire`, { key: trainer })).status).toBe(200);
  });

  it("needs a justification and the data officer role", async () => {
    const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer) });
    const problem = await expectProblem(await ctx.request("POST", `/v1/models/${id}/approve`, { key: reviewer, json: {} }), 422);
    expect(problem.errors?.map((e) => e.path)).toContain("justification");
    const auditor = await ctx.key("auditor");
    await expectProblem(await ctx.request("POST", `/v1/models/${id}/approve`, { key: auditor, json: JUSTIFICATION }), 403);
    await expectProblem(await ctx.request("POST", `/v1/models/${id}/retire`, { key: auditor }), 403);
    const inspector = await ctx.key("inspector", ["central"]);
    await expectProblem(await ctx.request("GET", `/v1/models/${id}`, { key: inspector }), 403);
  });
  describe("the verdict guard", () => {
    const refusalsOf = async (id: string) =>
      (await db().select().from(auditEvents).where(eq(auditEvents.action, "model.approve.refused"))).filter((e) => e.target === id);

    for (const [kind, pattern] of [
      ["tie", /does not beat logistic regression on ROC-AUC by more than its 95 % interval/],
      ["few", /only 12 positives in validation \(minimum 30\)/],
      ["none", /no verdict was stored/],
    ] as const) {
      it(`a model with a "${kind}" verdict needs an override: 409 naming the warning, audited, nothing approved`, async () => {
        const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer), verdict: kind });
        const problem = await expectProblem(await approve(id, reviewer), 409);
        expect(problem.detail).toMatch(pattern);
        expect(problem.detail).toMatch(/override/);
        const [row] = await db().select({ status: models.status }).from(models).where(eq(models.id, id));
        expect(row.status).toBe("trained");
        const refused = await refusalsOf(id);
        expect(refused).toHaveLength(1);
        expect((refused[0].details as { reason: string; warnings: string[] }).warnings[0]).toMatch(pattern);
      });
    }

    it("an override with a justification approves and keeps the warnings in the approval record and the audit event", async () => {
      const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer), verdict: "tie" });
      const justification = "same ranking as logistic regression, but calibrated per unit; accepted for one quarter";
      const res = await ctx.request("POST", `/v1/models/${id}/approve`, { key: reviewer, json: { justification, override: true } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as ModelBody & { approvalWarnings: string[] | null; approvalJustification: string };
      expect(body.status).toBe("active");
      expect(body.approvalJustification).toBe(justification);
      expect(body.approvalWarnings).toEqual([expect.stringMatching(/does not beat logistic regression/)]);
      const [event] = (await db().select().from(auditEvents).where(eq(auditEvents.action, "model.approve"))).filter((e) => e.target === id);
      expect((event.details as { overridden: string[] }).overridden).toEqual(body.approvalWarnings);
    });

    it("a clear verdict needs no override and leaves no warnings", async () => {
      const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainer), verdict: "clear" });
      const res = await approve(id, reviewer);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { approvalWarnings: unknown }).approvalWarnings).toBeNull();
    });
  });
});
