import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { fixtureFilesCsv, headLines, postCsv, putDemoSchema } from "../../helpers/ingest.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

const TOKEN = "metrics-token-for-tests-0123456789";

describe("GET /metrics (Prometheus)", () => {
  let ctx: TestContext;
  let officer: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres", { METRICS_TOKEN: TOKEN });
    officer = await ctx.key("data_officer");
  });
  afterAll(() => ctx.close());

  const scrape = async () => {
    const res = await ctx.request("GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return res.text();
  };

  it("needs the token", async () => {
    expect((await ctx.request("GET", "/metrics")).status).toBe(401);
    expect((await ctx.request("GET", "/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await ctx.request("GET", "/metrics", { key: officer })).status).toBe(401);
  });

  it("reports request latency by route pattern, queue depths, imports, the active model and the chain's length", async () => {
    const { modelId } = await buildScoredPopulation(ctx.test.database.db, { units: { north: 5 } });
    await ctx.request("GET", "/v1/files/north-00001", { key: officer });
    await ctx.request("GET", "/v1/files/nope", { key: officer });
    await ctx.queues.training.add("noop", {}, { delay: 60_000 });
    await putDemoSchema(ctx, officer);
    expect((await postCsv(ctx, "/v1/files/import", officer, headLines(fixtureFilesCsv(), 30))).status).toBe(200);
    const text = await scrape();
    expect(text).toMatch(/cts_http_request_duration_seconds_count\{method="GET",route="\/v1\/files\/:id",status="200"\} 1/);
    expect(text).toMatch(/cts_http_request_duration_seconds_count\{method="GET",route="\/v1\/files\/:id",status="404"\} 1/);
    expect(text).toMatch(/cts_queue_jobs\{queue="training",state="delayed"\} 1/);
    expect(text).toMatch(/cts_import_rows_total\{kind="files"\} 30/);
    expect(text).toContain(`cts_active_model_info{model_id="${modelId}"} 1`);
    const chain = Number(/cts_audit_chain_length (\d+)/.exec(text)?.[1]);
    expect(chain).toBeGreaterThanOrEqual(4);
    expect(text).toMatch(/cts_process_resident_memory_bytes \d+/);
  });
});

describe("GET /metrics without METRICS_TOKEN", () => {
  it("is off (404)", async () => {
    const ctx = await createTestContext("postgres");
    try {
      expect((await ctx.request("GET", "/metrics")).status).toBe(404);
    } finally {
      await ctx.close();
    }
  });
});
