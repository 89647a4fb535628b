import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createRedis } from "../../../jobs/connection.js";
import { createApp } from "../../../services/api/app.js";
import { createLogger } from "../../../services/logger.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { cookieFrom, csrfIn, ORIGIN } from "../../helpers/web.js";

/**
 * The sign-in limit (services/web/sign-in-limit.ts) with 3 refusals per 15-minute window, behind a
 * proxy (TRUST_PROXY), so that each test speaks from its own X-Forwarded-For address. The app reads
 * the time from `clock`: each test starts a minute into a window, so none straddles two, and ends
 * a window by moving the clock instead of waiting for it.
 */
let ctx: TestContext;
let app: App;
const clock = { ms: 0 };
// Midnight UTC starts a window of any whole number of seconds.
const WINDOW_START = Date.UTC(2030, 0, 1);
beforeAll(async () => {
  ctx = await createTestContext("postgres", { TRUST_PROXY: "true", WEB_SIGN_IN_REFUSALS: "3" });
  app = createApp({ ...deps(ctx.redis), now: () => clock.ms });
});
beforeEach(() => {
  clock.ms = WINDOW_START + 60_000;
});
afterAll(() => ctx?.close());

type App = ReturnType<typeof createApp>;
const deps = (redis: Redis) => ({ database: ctx.test.database, redis, queues: ctx.queues, config: ctx.config, logger: createLogger("silent"), tfjsBackend: () => "cpu" });

const events = (action: string) => ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, action));

async function signInFrom(on: App, address: string, key: string) {
  const form = await on.request("/app/sign-in");
  const pre = cookieFrom(form, "cts_sign_in");
  return on.request("/app/sign-in", {
    method: "POST",
    headers: { origin: ORIGIN, cookie: pre?.pair ?? "", "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": `198.51.100.1, ${address}` },
    body: new URLSearchParams({ _csrf: csrfIn(await form.text()), key }),
  });
}

const wrongOf = (key: string) => `${key.slice(0, 13)}${"x".repeat(43)}`;

describe("sign-in limit", () => {
  it("after 3 refusals from one address: 429 with Retry-After and a page that says so, even for a good key; one throttled event", async () => {
    const good = await ctx.key("inspector", ["north"]);
    for (let i = 0; i < 3; i++) expect((await signInFrom(app, "203.0.113.7", `cts_0000000${i}_${"y".repeat(43)}`)).status).toBe(401);
    const refused = await signInFrom(app, "203.0.113.7", good);
    expect(refused.status).toBe(429);
    const retry = Number(refused.headers.get("retry-after"));
    // The rest of the window the clock is a minute into.
    expect(retry).toBe(14 * 60);
    expect(cookieFrom(refused, "cts_session")).toBeNull();
    const html = await refused.text();
    expect(html).toContain("<h1 id=\"throttled-title\">Too many refused sign-ins</h1>");
    expect(html).toContain("Sign-ins from this network address were refused too often");
    expect((await signInFrom(app, "203.0.113.7", good)).status).toBe(429);
    expect((await signInFrom(app, "203.0.113.7", "nonsense")).status).toBe(429);
    // Another address is not held back.
    expect((await signInFrom(app, "203.0.113.8", good)).status).toBe(303);

    const refusals = (await events("web.sign_in.refused")).filter((e) => (e.details as { address?: string }).address === "203.0.113.7");
    expect(refusals).toHaveLength(3);
    const throttled = (await events("web.sign_in.throttled")).filter((e) => (e.details as { address?: string }).address === "203.0.113.7");
    expect(throttled).toHaveLength(1);
    expect(throttled[0].details).toMatchObject({ address: "203.0.113.7", refusals: 3, blockedInWindowBefore: 0 });
    expect(throttled[0].actor).toBe("anonymous");
  });

  it("after 3 refusals for one key prefix from three addresses, that prefix is held back from a fourth address", async () => {
    const key = await ctx.key("auditor", []);
    for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) expect((await signInFrom(app, address, wrongOf(key))).status).toBe(401);
    const res = await signInFrom(app, "192.0.2.4", key);
    expect(res.status).toBe(429);
    expect(await res.text()).toContain("Sign-ins with this key were refused too often");
    // The same fourth address signs in with another key: only the prefix is held back.
    expect((await signInFrom(app, "192.0.2.4", await ctx.key("auditor", []))).status).toBe(303);
    const throttled = (await events("web.sign_in.throttled")).filter((e) => (e.details as { prefix?: string }).prefix === key.slice(0, 12));
    expect(throttled).toHaveLength(1);
    expect(throttled[0].details).toMatchObject({ refusals: 3 });
  });

  it("the hold ends with its window", async () => {
    const good = await ctx.key("admin", []);
    for (let i = 0; i < 3; i++) expect((await signInFrom(app, "203.0.113.50", "wrong")).status).toBe(401);
    const held = await signInFrom(app, "203.0.113.50", good);
    expect(held.status).toBe(429);
    const retry = Number(held.headers.get("retry-after"));
    clock.ms += retry * 1000 - 1;
    expect((await signInFrom(app, "203.0.113.50", good)).status).toBe(429);
    clock.ms += 1;
    expect((await signInFrom(app, "203.0.113.50", good)).status).toBe(303);
  });

  it("without Redis the form stays usable: a refusal is still a 401 and a good key signs in, without waiting for Redis", async () => {
    const dead = createRedis("redis://127.0.0.1:1", { lazyConnect: true, retryStrategy: () => 200 });
    dead.on("error", () => {});
    const viaDead = createApp(deps(dead));
    try {
      const started = performance.now();
      expect((await signInFrom(viaDead, "203.0.113.99", "wrong")).status).toBe(401);
      expect((await signInFrom(viaDead, "203.0.113.99", await ctx.key("auditor", []))).status).toBe(303);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      dead.disconnect();
    }
  });
});
