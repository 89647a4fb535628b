import { createPublicKey, verify } from "node:crypto";
import type postgres from "postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Checkpoint, checkpointBytes } from "../../../services/audit/checkpoint.js";
import { eventHash, GENESIS_HASH } from "../../../services/audit/chain.js";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { appendAuditEvent } from "../../../services/db/queries/audit-events.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";

interface Verification {
  ok: boolean;
  signatureOk: boolean;
  chainOk: boolean;
  truncated: boolean;
  headHashMatches: boolean | null;
  findings: string[];
}

/**
 * Signed checkpoints against an attacker who controls the database (a superuser here): each
 * attack leaves a chain that verifies on its own, and the checkpoint saved before it exposes it.
 */
describe("audit checkpoints", () => {
  let ctx: TestContext;
  let auditor: string;
  let su: postgres.Sql;
  let saved: Checkpoint;

  beforeEach(async () => {
    ctx = await createTestContext("postgres");
    auditor = await ctx.key("auditor");
    for (let i = 0; i < 10; i++) await appendAuditEvent(ctx.test.database.db, { actor: SYSTEM_ACTOR, action: "test.event", details: { i } });
    const [{ before }] = await ctx.test.superuser()<{ before: number }[]>`select count(*)::int as before from audit_events`;
    const res = await ctx.request("GET", "/v1/audit/checkpoint", { key: auditor });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checkpoint: Checkpoint; publicKey: string };
    saved = body.checkpoint;
    // Anyone can check the signature offline with the published key.
    expect(verify(null, checkpointBytes(saved), createPublicKey(body.publicKey), Buffer.from(saved.signature, "base64"))).toBe(true);
    // The head signed is the last event before the checkpoint's own.
    expect(saved.count).toBe(before);
    for (let i = 10; i < 15; i++) await appendAuditEvent(ctx.test.database.db, { actor: SYSTEM_ACTOR, action: "test.event", details: { i } });
    su = ctx.test.superuser();
  });
  afterEach(() => ctx.close());

  const verifyChain = async () => ((await (await ctx.request("GET", "/v1/audit/verify", { key: auditor })).json()) as { ok: boolean }).ok;
  const verifyAgainst = async (checkpoint: Checkpoint) => {
    const res = await ctx.request("POST", "/v1/audit/verify", { key: auditor, json: { checkpoint } });
    expect(res.status).toBe(200);
    return (await res.json()) as Verification;
  };

  /** Rewrites events from `fromId` on as given, rehashed so that the chain links again. */
  async function rewriteFrom(fromId: number, events: { actor: string; role: string; action: string; target: string | null; details: Record<string, unknown>; requestId: string | null; at: Date }[]) {
    await su.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      const [{ prev }] = await tx<{ prev: string | null }[]>`select hash as prev from audit_events where id = ${fromId - 1}`;
      await tx`delete from audit_events where id >= ${fromId}`;
      let prevHash = prev ?? GENESIS_HASH;
      for (const [k, e] of events.entries()) {
        const id = fromId + k;
        const hash = eventHash(prevHash, { ...e, id });
        await tx`insert into audit_events (id, at, actor, role, action, target, details, request_id, prev_hash, hash)
                 values (${id}, ${e.at}, ${e.actor}, ${e.role}, ${e.action}, ${e.target}, ${tx.json(e.details as never)}, ${e.requestId}, ${prevHash}, ${hash})`;
        prevHash = hash;
      }
    });
  }
  const eventsFrom = async (fromId: number) =>
    (
      await su<{ actor: string; role: string; action: string; target: string | null; details: Record<string, unknown>; request_id: string | null; at: Date }[]>`
        select actor, role, action, target, details, request_id, at from audit_events where id >= ${fromId} order by id`
    ).map((r) => ({ ...r, requestId: r.request_id }));

  it("a chain left alone verifies against its checkpoint", async () => {
    expect(await verifyAgainst(saved)).toMatchObject({ ok: true, signatureOk: true, chainOk: true, truncated: false, headHashMatches: true });
  });

  it("detects a cut tail", async () => {
    await su.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`delete from audit_events where id > ${saved.count - 3}`;
    });
    expect(await verifyChain()).toBe(true);
    const report = await verifyAgainst(saved);
    expect(report).toMatchObject({ ok: false, truncated: true });
    expect(report.findings.join(" ")).toMatch(/events were removed/);
  });

  it("detects a whole chain rehashed after one event was rewritten", async () => {
    const events = await eventsFrom(3);
    events[0] = { ...events[0], details: { i: 999, rewritten: true } };
    await rewriteFrom(3, events);
    expect(await verifyChain()).toBe(true);
    expect(await verifyAgainst(saved)).toMatchObject({ ok: false, truncated: false, headHashMatches: false });
  });

  it("detects an event inserted in the middle", async () => {
    const events = await eventsFrom(5);
    const forged = { ...events[0], action: "model.approve", details: { justification: "forged" } };
    await rewriteFrom(5, [forged, ...events]);
    expect(await verifyChain()).toBe(true);
    expect(await verifyAgainst(saved)).toMatchObject({ ok: false, headHashMatches: false });
  });

  it("refuses a checkpoint whose figures were edited after signing", async () => {
    const report = await verifyAgainst({ ...saved, count: saved.count - 3 });
    expect(report).toMatchObject({ ok: false, signatureOk: false });
  });
});
