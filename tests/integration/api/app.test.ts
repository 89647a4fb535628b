import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis, redisEvictionWarning } from "../../../jobs/connection.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";

describe("the HTTP app", () => {
  let ctx: TestContext;
  let admin: string;
  beforeAll(async () => {
    ctx = await createTestContext("postgres", { BODY_LIMIT_BYTES: "2000" });
    admin = await ctx.key("admin");
  });
  afterAll(() => ctx.close());

  it("GET /healthz answers ok with a request id and secure headers", async () => {
    const response = await ctx.request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toMatch(/.+/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("GET /readyz is 200 with Postgres, Redis and the tfjs backend checked", async () => {
    const response = await ctx.request("GET", "/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ready",
      checks: { postgres: { ok: true, driver: "postgres" }, redis: { ok: true }, tfjs: { ok: true, backend: "cpu" } },
    });
  });

  it("GET /openapi.json documents every /v1 operation with its roles and bearer security", async () => {
    const doc = (await (await ctx.request("GET", "/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; "x-roles"?: string[]; responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/v1/"))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThanOrEqual(5);
    for (const { path, method, op } of operations) {
      expect(op["x-roles"]?.length, `${method} ${path} declares roles`).toBeGreaterThan(0);
      expect(op.security, `${method} ${path} requires a key`).toEqual([{ bearer: [] }]);
      expect(op.responses, `${method} ${path} documents its problems`).toHaveProperty("403");
    }
  });

  it("GET /openapi.json types a model's metrics, verdict and baselines (not free-form JSON)", async () => {
    type Schema = { properties?: Record<string, Schema>; $ref?: string; anyOf?: Schema[]; required?: string[]; items?: Schema };
    const doc = (await (await ctx.request("GET", "/openapi.json")).json()) as { components: { schemas: Record<string, Schema> } };
    const schemas = doc.components.schemas;
    const metrics = schemas.ModelMetrics;
    expect(Object.keys(metrics.properties ?? {})).toEqual(expect.arrayContaining(["validation", "unbiased", "training", "verdict"]));
    const validation = metrics.properties!.validation.properties!;
    expect(Object.keys(validation)).toEqual(expect.arrayContaining(["aucRoc", "prAuc", "atCapacity", "calibration", "roc", "pr", "gains"]));
    const verdict = metrics.properties!.verdict.properties!;
    expect(Object.keys(verdict)).toEqual(expect.arrayContaining(["positives", "comparisons", "summary", "level"]));
    expect(Object.keys(schemas.ModelBaselines.properties ?? {})).toEqual(expect.arrayContaining(["random", "logistic", "singleFeature", "champion"]));
    expect(Object.keys(schemas.ApproveModel.properties ?? {})).toEqual(expect.arrayContaining(["justification", "override"]));
  });

  it("GET /docs serves the API reference page", async () => {
    const response = await ctx.request("GET", "/docs");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("/openapi.json");
  });

  it("an unknown route is a 404 problem", async () => {
    await expectProblem(await ctx.request("GET", "/v1/nothing-here", { key: admin }), 404);
  });

  it("a body over BODY_LIMIT_BYTES is a 413 problem and creates nothing", async () => {
    const before = (await (await ctx.request("GET", "/v1/api-keys", { key: admin })).json()) as { items: unknown[] };
    const problem = await expectProblem(
      await ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "auditor", name: "x".repeat(5000) } }),
      413,
    );
    expect(problem.detail).toContain("2000 bytes");
    const after = (await (await ctx.request("GET", "/v1/api-keys", { key: admin })).json()) as { items: unknown[] };
    expect(after.items).toHaveLength(before.items.length);
  });
});

describe("redisEvictionWarning", () => {
  it("warns on a Redis that may evict keys, and not on one with noeviction", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn("redis-server", ["--port", String(port), "--save", "", "--maxmemory-policy", "allkeys-lru"], {
      stdio: "ignore",
    });
    const redis = createRedis(`redis://127.0.0.1:${port}`);
    redis.on("error", () => {}); // refused until the server is up; ioredis retries
    try {
      await redis.ping();
      expect(await redisEvictionWarning(redis)).toMatch(/allkeys-lru.*noeviction/);
      await redis.config("SET", "maxmemory-policy", "noeviction");
      expect(await redisEvictionWarning(redis)).toBeNull();
    } finally {
      redis.disconnect();
      child.kill("SIGKILL");
    }
  });
});
