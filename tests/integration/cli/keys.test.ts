import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "../../../services/db/queries/audit-events.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

const run = promisify(execFile);
const CTS = resolve(import.meta.dirname, "../../../bin/cts.js");

describe("cts keys create", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    await buildScoredPopulation(ctx.test.database.db, { units: { north: 3 } });
  });
  afterAll(() => ctx.close());

  const cts = (...args: string[]) =>
    run(process.execPath, [CTS, ...args], { env: { ...process.env, DATABASE_URL: ctx.test.url!, LOG_LEVEL: "silent" } });

  it("prints a key that authenticates with the role and units asked for, and audits it", async () => {
    const { stdout, stderr } = await cts("keys", "create", "--role", "inspector", "--unit", "north", "--name", "Ann");
    const key = stdout.trim();
    expect(key).toMatch(/^cts_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain("shown this once");
    // Known (not 401) and an inspector (403 on an admin route).
    const problem = await expectProblem(await ctx.request("GET", "/v1/api-keys", { key }), 403);
    expect(problem.detail).toContain('role "inspector"');
    const { items } = await listAuditEvents(ctx.test.database.db, { limit: 10, action: "api_key.create" });
    expect(items.at(-1)).toMatchObject({ target: key.slice(0, 12), details: { role: "inspector", units: ["north"] } });
    expect(items.at(-1)?.actor).toMatch(/^cli:/);
  });

  it("refuses a key for a unit no file belongs to, with a non-zero exit", async () => {
    await expect(cts("keys", "create", "--role", "inspector", "--unit", "nrth")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no file belongs to unit nrth"),
    });
  });

  it("refuses an inspector key without a unit, with a non-zero exit", async () => {
    await expect(cts("keys", "create", "--role", "inspector")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("needs at least one --unit"),
    });
  });
});
