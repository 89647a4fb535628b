import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";

/** For each role, one call it may make and one it may not; plus 401s and unit scoping. */
describe("auth matrix", () => {
  let ctx: TestContext;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    keys.admin = await ctx.key("admin");
    keys.officer = await ctx.key("data_officer");
    keys.auditor = await ctx.key("auditor");
    keys.inspector = await ctx.key("inspector", ["north"]);
  });
  afterAll(() => ctx.close());

  it("GET /v1/api-keys without a key is 401", async () => {
    await expectProblem(await ctx.request("GET", "/v1/api-keys"), 401);
  });

  it("GET /v1/api-keys with an unknown key is 401", async () => {
    await expectProblem(await ctx.request("GET", "/v1/api-keys", { key: "cts_00000000_nope" }), 401);
  });

  it("a revoked key is 401 from the moment it is revoked", async () => {
    const created = await ctx.request("POST", "/v1/api-keys", {
      key: keys.admin,
      json: { role: "auditor", name: "leaving auditor" },
    });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    expect((await ctx.request("GET", "/v1/audit/verify", { key })).status).toBe(200);
    expect((await ctx.request("DELETE", `/v1/api-keys/${id}`, { key: keys.admin })).status).toBe(200);
    await expectProblem(await ctx.request("GET", "/v1/audit/verify", { key }), 401);
  });

  it.each([
    { who: "admin", method: "POST", path: "/v1/api-keys", json: { role: "auditor", name: "a" }, status: 201 },
    { who: "admin", method: "GET", path: "/v1/audit/events", status: 403 },
    { who: "auditor", method: "GET", path: "/v1/audit/events", status: 200 },
    { who: "auditor", method: "POST", path: "/v1/api-keys", json: { role: "auditor", name: "a" }, status: 403 },
    { who: "officer", method: "GET", path: "/v1/files", status: 200 },
    { who: "officer", method: "GET", path: "/v1/api-keys", status: 403 },
    { who: "inspector", method: "GET", path: "/v1/files?unit=north", status: 200 },
    { who: "inspector", method: "GET", path: "/v1/files?unit=south", status: 403 },
    { who: "inspector", method: "GET", path: "/v1/audit/verify", status: 403 },
  ] as { who: string; method: string; path: string; json?: unknown; status: number }[])(
    "$who: $method $path is $status",
    async ({ who, method, path, json, status }) => {
      const response = await ctx.request(method, path, { key: keys[who], json });
      if (status >= 400) await expectProblem(response, status);
      else expect(response.status).toBe(status);
    },
  );

  it("a wrong role's 403 names the roles allowed", async () => {
    const problem = await expectProblem(await ctx.request("GET", "/v1/api-keys", { key: keys.inspector }), 403);
    expect(problem.detail).toContain("admin");
  });

  it("an invalid body is a 422 problem naming the field", async () => {
    const problem = await expectProblem(
      await ctx.request("POST", "/v1/api-keys", { key: keys.admin, json: { role: "inspector", name: "n" } }),
      422,
    );
    expect(problem.errors?.map((e) => e.path)).toContain("units");
  });
});
