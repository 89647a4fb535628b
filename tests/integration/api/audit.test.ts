import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { queryRows } from "../../../services/db/client.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";

const Verification = z.object({
  ok: z.boolean(),
  checked: z.number(),
  firstBroken: z.object({ id: z.number(), reason: z.string() }).nullable(),
});

describe("audit chain", () => {
  let ctx: TestContext;
  let admin: string;
  let auditor: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    admin = await ctx.key("admin");
    auditor = await ctx.key("auditor");
  });
  afterAll(() => ctx.close());

  const verify = async () => Verification.parse(await (await ctx.request("GET", "/v1/audit/verify", { key: auditor })).json());

  it("200 concurrent state-changing requests leave one unbroken chain", async () => {
    const before = await verify();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ctx.request("POST", "/v1/api-keys", { key: admin, json: { role: "auditor", name: `auditor ${i}` } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(201));
    const after = await verify();
    expect(after.ok).toBe(true);
    expect(after.firstBroken).toBeNull();
    // The 200 creations, plus the first verify's own event.
    expect(after.checked).toBe(before.checked + 1 + 200);
  });

  it("100 concurrent audited reads (asynchronous commit, durable barrier) also leave one unbroken chain", async () => {
    const before = await verify();
    const responses = await Promise.all(Array.from({ length: 100 }, () => ctx.request("GET", "/v1/files", { key: auditor })));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    const after = await verify();
    expect(after).toMatchObject({ ok: true, firstBroken: null });
    // The 100 reads, plus the first verify's own event.
    expect(after.checked).toBe(before.checked + 1 + 100);
    // Group commit: the reads' events were appended in fewer transactions than there were reads.
    const [{ transactions }] = await queryRows<{ transactions: number }>(
      ctx.test.database.db,
      sql`select count(distinct xmin::text)::int as transactions from audit_events where id > ${before.checked + 1} and id <= ${before.checked + 1 + 100}`,
    );
    expect(transactions).toBeLessThan(100);
  });

  /** Creates n api keys (n api_key.create events) through the API. */
  const createKeys = async (on: TestContext, key: string, n: number) => {
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) => on.request("POST", "/v1/api-keys", { key, json: { role: "auditor", name: `auditor ${i}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(n).fill(201));
  };

  it("GET /v1/audit/events pages the events in chain order and filters by action family", async () => {
    await createKeys(ctx, admin, 60);
    const first = await ctx.request("GET", "/v1/audit/events?limit=50&action=api_key.*", { key: auditor });
    expect(first.status).toBe(200);
    const page = (await first.json()) as { items: { id: number; action: string; prevHash: string; hash: string }[]; nextAfter: number };
    expect(page.items).toHaveLength(50);
    expect(page.items.every((e) => e.action === "api_key.create")).toBe(true);
    const ids = page.items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const next = (await (
      await ctx.request("GET", `/v1/audit/events?limit=50&action=api_key.*&after=${page.nextAfter}`, { key: auditor })
    ).json()) as { items: { id: number }[] };
    expect(next.items[0].id).toBeGreaterThan(page.nextAfter);
  });

  it("a row edited by hand (trigger disabled) is reported as exactly that row", async () => {
    // Its own database: a broken chain would fail the other tests of this file.
    const own = await createTestContext("postgres");
    onTestFinished(() => own.close());
    await createKeys(own, await own.key("admin"), 20);
    const sql = own.test.superuser();
    const [victim] = await sql<{ id: number }[]>`select id::int from audit_events where action = 'api_key.create' order by id offset 17 limit 1`;
    await sql.begin(async (tx) => {
      await tx`alter table audit_events disable trigger audit_events_append_only`;
      await tx`update audit_events set details = jsonb_set(details, '{name}', '"someone else"') where id = ${victim.id}`;
      await tx`alter table audit_events enable trigger audit_events_append_only`;
    });
    const result = Verification.parse(await (await own.request("GET", "/v1/audit/verify", { key: await own.key("auditor") })).json());
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ id: victim.id, reason: "hash_mismatch" });
  });
});
