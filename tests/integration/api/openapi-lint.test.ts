import { createConfig, lintFromString } from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";

/**
 * The OpenAPI document is what client generators and gateways read: it passes Redocly's
 * `recommended` rules (operationIds, security on every operation, servers, documented 4xx, ...)
 * with no warning or error.
 */
describe("the OpenAPI document", () => {
  let ctx: TestContext;
  let doc: { paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>> };
  let source: string;

  beforeAll(async () => {
    ctx = await createTestContext("pglite");
    source = await (await ctx.request("GET", "/openapi.json")).text();
    doc = JSON.parse(source);
  });
  afterAll(() => ctx.close());

  it("passes Redocly's recommended rules", async () => {
    // operation-4xx-response is checked below for every /v1 operation instead: /healthz and
    // /readyz answer no 4xx at all, and documenting one they never send would mislead.
    const config = await createConfig({ extends: ["recommended"], rules: { "operation-4xx-response": "off" } });
    const problems = await lintFromString({ source, absoluteRef: "openapi.json", config });
    const shown = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(shown).toEqual([]);
  });

  it("gives every operation a unique operationId, declared security and its 4xx answers", () => {
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(ops.length).toBeGreaterThan(35);
    const ids = ops.map(({ op }) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of ops) {
      expect(op.security, path).toBeDefined();
      if (path.startsWith("/v1/")) for (const status of ["400", "401", "403", "404", "409", "422"]) expect(Object.keys(op.responses), path).toContain(status);
    }
  });
});
