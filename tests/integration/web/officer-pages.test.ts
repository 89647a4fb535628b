import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, models } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";
import { insertModel, prefixOf } from "../models/model-fixtures.js";

let ctx: TestContext;
let trainerKey: string;
let trainer: WebClient;
let reviewer: WebClient;
beforeAll(async () => {
  ctx = await createTestContext();
  trainerKey = await ctx.key("data_officer", [], "Tom Trainer");
  trainer = await webSignIn(ctx, trainerKey);
  reviewer = await webSignIn(ctx, await ctx.key("data_officer", [], "Rita Reviewer"));
});
afterAll(() => ctx?.close());

const db = () => ctx.test.database.db;

describe("data officer: models", () => {
  it("starts a training from the form: a draft row, its event, its job, and a page that polls the progress", async () => {
    const bad = await trainer.post("/app/models", { _csrf: trainer.csrf, cutoff: "2026-13-01" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("not a calendar date");
    const res = await trainer.post("/app/models", { _csrf: trainer.csrf, name: "weekly", cutoff: "2026-11-01", seed: "3" });
    expect(res.status).toBe(303);
    const id = /\/app\/models\/([0-9a-f-]{36})$/.exec(res.headers.get("location") ?? "")?.[1] ?? "";
    const [row] = await db().select().from(models).where(eq(models.id, id));
    expect(row).toMatchObject({ name: "weekly", status: "draft", seed: 3, trainedBy: prefixOf(trainerKey) });
    expect((await ctx.queues.training.getJob(`train-${id}`))?.data).toMatchObject({ modelId: id });
    const events = await db().select().from(auditEvents).where(and(eq(auditEvents.action, "model.train"), eq(auditEvents.target, id)));
    expect(events).toHaveLength(1);
    const page = await (await trainer.get(`/app/models/${id}`)).text();
    expect(page).toContain(`hx-get="/app/models/${id}/progress"`);
    expect(page).toContain('hx-trigger="every 1s"');
    const progress = await trainer.get(`/app/models/${id}/progress`);
    expect(await progress.text()).toContain("Waiting for a worker");
    expect(progress.headers.get("hx-refresh")).toBeNull();
  });

  it("shows the verdict table and the warnings; four eyes and the override hold as in the API", async () => {
    const id = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainerKey), verdict: "few" });
    const page = await (await reviewer.get(`/app/models/${id}`)).text();
    expect(page).toContain("Logistic regression: value, difference");
    expect(page).toMatch(/ROC-AUC<\/th>/);
    expect(page).toContain('data-testid="approval-warnings"');
    expect(page).toMatch(/only 12 positives in validation/);
    const finished = await reviewer.get(`/app/models/${id}/progress`);
    expect(finished.headers.get("hx-refresh")).toBe("true");

    const own = await trainer.post(`/app/models/${id}/approve`, { _csrf: trainer.csrf, justification: "looks fine to me" });
    expect(own.status).toBe(409);
    expect(await own.text()).toMatch(/four eyes/);
    const short = await reviewer.post(`/app/models/${id}/approve`, { _csrf: reviewer.csrf, justification: "ok" });
    expect(short.status).toBe(422);
    const warned = await reviewer.post(`/app/models/${id}/approve`, { _csrf: reviewer.csrf, justification: "reviewed the verdict table" });
    expect(warned.status).toBe(409);
    expect(await warned.text()).toContain("approval needs an override");
    const ok = await reviewer.post(`/app/models/${id}/approve`, { _csrf: reviewer.csrf, justification: "few positives, accepted for a pilot", override: "true" });
    expect(ok.status).toBe(303);
    const [row] = await db().select().from(models).where(eq(models.id, id));
    expect(row.status).toBe("active");
    expect(row.approvalWarnings?.length).toBeGreaterThan(0);
    const events = await db().select().from(auditEvents).where(eq(auditEvents.target, id));
    expect(events.map((e) => e.action)).toEqual(["model.approve.refused", "model.approve.refused", "model.approve"]);
  });

  it("compares two models side by side, and says whether they saw the same data", async () => {
    const a = await insertModel(db(), { status: "trained", trainedBy: prefixOf(trainerKey), name: "alpha" });
    const b = await insertModel(db(), { status: "retired", trainedBy: prefixOf(trainerKey), name: "beta" });
    const res = await reviewer.get(`/app/models/compare?id=${a}&id=${b}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<a href="/app/models/${a}">alpha</a>`);
    expect(html).toContain(`<a href="/app/models/${b}">beta</a>`);
    expect(html).toContain("not trained on the same data");
  });

  it("an inspector may not see the models pages", async () => {
    const inspector = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    expect((await inspector.get("/app/models")).status).toBe(403);
  });
});
