import { Writable } from "node:stream";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { expectProblem } from "../../helpers/problem.js";

/** The app's log lines, parsed, in the order written (a pino logger on an in-memory stream). */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n")) if (text.trim()) lines.push(JSON.parse(text));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

describe("a request id, end to end", () => {
  let ctx: TestContext;
  let admin: string;
  const captured = capturingLogger();
  beforeAll(async () => {
    ctx = await createTestContext("postgres", {}, { logger: captured.logger });
    admin = await ctx.key("admin");
  });
  afterAll(() => ctx.close());

  const requestLines = (id: string) => captured.lines.filter((l) => l.requestId === id && l.msg === "request");

  it("a failing request: the id it sent is in the header, the problem body and its one log line", async () => {
    const response = await ctx.request("POST", "/v1/api-keys", {
      key: admin,
      json: { role: "inspector", name: "no units" },
      headers: { "x-request-id": "client-req-422" },
    });
    expect(response.headers.get("x-request-id")).toBe("client-req-422");
    const problem = await expectProblem(response, 422);
    expect(problem.requestId).toBe("client-req-422");
    const lines = requestLines("client-req-422");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "POST", path: "/v1/api-keys", status: 422, actor: expect.any(String) });
  });

  it("a 401 before any actor is known still quotes the id", async () => {
    const response = await ctx.request("GET", "/v1/units", { headers: { "x-request-id": "no-key-401" } });
    expect(response.headers.get("x-request-id")).toBe("no-key-401");
    expect((await expectProblem(response, 401)).requestId).toBe("no-key-401");
    expect(requestLines("no-key-401")).toMatchObject([{ status: 401 }]);
  });

  it("a write: the id is stored on the audit event it caused", async () => {
    const response = await ctx.request("POST", "/v1/api-keys", {
      key: admin,
      json: { role: "auditor", name: "request id test" },
      headers: { "x-request-id": "client-req-201" },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { prefix: string };
    const events = await ctx.test.database.db
      .select({ requestId: auditEvents.requestId, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "api_key.create"), eq(auditEvents.target, created.prefix)));
    expect(events).toHaveLength(1);
    expect(events[0].requestId).toBe("client-req-201");
    expect(requestLines("client-req-201")).toMatchObject([{ status: 201 }]);
  });

  it("an id that is not sane (too long, or with characters a log or header could be forged with) is replaced", async () => {
    for (const sent of ["x".repeat(300), "a b\tinjected", "id\",\"admin\":true"]) {
      const response = await ctx.request("GET", "/v1/nope", { key: admin, headers: { "x-request-id": sent } });
      const id = response.headers.get("x-request-id");
      expect(id).not.toBe(sent);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await expectProblem(response, 404)).requestId).toBe(id);
    }
  });

  it("without an incoming id, each request gets its own generated one", async () => {
    const [a, b] = await Promise.all([ctx.request("GET", "/healthz"), ctx.request("GET", "/healthz")]);
    const ids = [a.headers.get("x-request-id"), b.headers.get("x-request-id")];
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(requestLines(id as string)).toHaveLength(1);
  });
});
