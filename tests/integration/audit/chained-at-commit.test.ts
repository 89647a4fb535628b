import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { appendAuditEvent, appendAuditEventAlone, verifyAuditChain } from "../../../services/db/queries/audit-events.js";
import { createPostgresTestDatabase, type TestDatabase } from "../../helpers/database.js";

/**
 * An event recorded in a state change's transaction is chained at that transaction's COMMIT
 * (migration 0022): the chain's lock is not held while the transaction is still open, so other
 * events go on being appended, and the chain's order is the commit order.
 */
describe("audit events chained at commit", () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createPostgresTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("an open transaction's event holds no lock; committed, it follows the events committed before it, and the chain verifies", async () => {
    const { database } = test;
    if (database.driver !== "postgres") throw new Error("postgres expected");
    const actions = async () =>
      (await database.sql<{ action: string }[]>`select action from audit_events where action like 'test.%' order by id`).map((r) => r.action);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let staged!: () => void;
    const wasStaged = new Promise<void>((resolve) => {
      staged = resolve;
    });
    const open = database.db.transaction(async (tx) => {
      await appendAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "test.first_asked" });
      staged();
      await released;
    });
    await wasStaged;
    // With the lock taken at the append, this would wait for the open transaction (and time out).
    await Promise.race([
      appendAuditEventAlone(database, { actor: SYSTEM_ACTOR, action: "test.committed_meanwhile" }),
      new Promise((_, reject) => setTimeout(() => reject(new Error("the append waited for the open transaction")), 10_000)),
    ]);
    expect(await actions()).toEqual(["test.committed_meanwhile"]);
    release();
    await open;
    expect(await actions()).toEqual(["test.committed_meanwhile", "test.first_asked"]);
    const [{ n }] = await database.sql<{ n: number }[]>`select count(*)::int as n from audit_staged`;
    expect(n).toBe(0);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, firstBroken: null });
  });

  it("a transaction that rolls back leaves no event, staged or chained", async () => {
    const { database } = test;
    if (database.driver !== "postgres") throw new Error("postgres expected");
    await expect(
      database.db.transaction(async (tx) => {
        await appendAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "test.rolled_back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const [row] = await database.sql<{ events: number; staged: number }[]>`
      select (select count(*)::int from audit_events where action = 'test.rolled_back') as events,
             (select count(*)::int from audit_staged) as staged`;
    expect(row).toEqual({ events: 0, staged: 0 });
  });
});
