import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../../models/drift-schema.js";
import { scoringRuns } from "../../../services/db/schema/index.js";
import { fmtNumber } from "../../../services/web/format.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertRunWithDrift, shiftedDriftReport } from "../../helpers/evidence.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";

let ctx: TestContext;
let officer: WebClient;
let runId: string;
let modelId: string;
let report: DriftReport;

beforeAll(async () => {
  ctx = await createTestContext();
  const population = await buildScoredPopulation(ctx.test.database.db, { units: { north: 10 } });
  runId = population.runId;
  modelId = population.modelId;
  officer = await webSignIn(ctx, await ctx.key("data_officer", [], "Dora Officer"));
});
afterAll(() => ctx?.close());

describe("data officer: a scoring run's drift", () => {
  it("a run without a stored drift report shows no drift section", async () => {
    const html = await (await officer.get(`/app/runs/${runId}`)).text();
    expect(html).toContain("run-progress");
    expect(html).not.toContain('id="drift"');
    // The progress box, polled while the run works, reloads the page once it is finished (to show the drift).
    const progress = await officer.get(`/app/runs/${runId}/progress`);
    expect(progress.headers.get("hx-refresh")).toBe("true");
    const queued = randomUUID();
    await ctx.test.database.db.insert(scoringRuns).values({ id: queued, modelId, scope: {}, shadow: false, status: "queued", totalFiles: 10, requestedBy: "test" });
    const live = await officer.get(`/app/runs/${queued}/progress`);
    expect(live.headers.get("hx-refresh")).toBeNull();
    expect(await live.text()).toContain('hx-trigger="every 1s"');
  });

  it("shows the band, the alarms and the features by PSI, the largest first", async () => {
    report = shiftedDriftReport();
    expect(report.band).toBe("alarm");
    // A completed run is never changed (a trigger refuses it): the run is stored finished, with its report.
    const id = await insertRunWithDrift(ctx.test.database.db, modelId, report);
    const res = await officer.get(`/app/runs/${id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-testid="drift-band"><span class="status status-alarm">alarm<\/span> the scored files differ/);
    for (const alarm of report.alarms) expect(html).toContain(`<li>${alarm.replaceAll(">", "&gt;")}</li>`);
    const rows = [...html.matchAll(/<tr data-feature="([^"]+)"><th scope="row">[^<]*<\/th><td class="num">([^<]+)<\/td><td><span class="status status-(\w+)">/g)].map((m) => ({
      name: m[1],
      psi: m[2],
      band: m[3],
    }));
    const byPsi = [...report.features].sort((a, b) => b.psi - a.psi);
    expect(rows.map((r) => r.name)).toEqual(["score", ...byPsi.map((f) => f.name)]);
    expect(rows[1]).toEqual({ name: "turnover", psi: fmtNumber(Math.round(byPsi[0].psi * 1000) / 1000), band: "alarm" });
    expect(rows.find((r) => r.name === "staff")?.band).toBe("stable");
    expect(html).toMatch(/data-feature="sector"[\s\S]*?<td>\d+ \(mine\)<\/td>/);
    expect(html).toContain('<th scope="col" class="num">PSI</th>');
  });
});
