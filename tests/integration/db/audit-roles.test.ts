import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { type Database, openDatabase } from "../../../services/db/client.js";
import { appendAuditEvent } from "../../../services/db/queries/audit-events.js";
import { createPostgresTestDatabase, type TestDatabase } from "../../helpers/database.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/**
 * The service's login role, granted only cts_app (README, production layout), cannot undo the
 * trail's protections: it owns no table, so it can neither drop nor disable the append-only
 * triggers, has no UPDATE, DELETE or TRUNCATE on the trails, and finished chunks and completed
 * runs refuse changes. It can still do the service's work.
 */
describe("the application role and the audit trail", () => {
  let test: TestDatabase;
  let owner: postgres.Sql;
  let app: postgres.Sql;
  let appDatabase: Database;
  let runId: string;
  const login = `cts_login_${randomUUID().replace(/-/g, "").slice(0, 10)}`;

  beforeAll(async () => {
    test = await createPostgresTestDatabase();
    ({ runId } = await buildScoredPopulation(test.database.db, { units: { north: 10 } }));
    owner = test.superuser();
    await owner.unsafe(`create role ${login} login in role cts_app`);
    await owner`insert into scoring_chunks (run_id, chunk_no, first_file_id, last_file_id, n, digest, finished_at)
                values (${runId}, 0, 'north-00000', 'north-00009', 10, 'abc', now())`;
    const url = (test.url as string).replace("postgres://postgres@", `postgres://${login}@`);
    app = postgres(url, { max: 1, onnotice: () => {} });
    appDatabase = await openDatabase({ url, maxConnections: 2 });
  });
  afterAll(async () => {
    await app?.end();
    await appDatabase?.close();
    await test?.drop();
    await owner?.unsafe(`drop role if exists ${login}`).catch(() => {});
    await owner?.end().catch(() => {});
  });

  const refused = async (statement: string) => {
    let error: unknown = null;
    try {
      await app.unsafe(statement);
    } catch (e) {
      error = e;
    }
    expect(error, statement).not.toBeNull();
    return (error as Error).message;
  };

  it("cannot drop or disable the append-only triggers, nor the tables", async () => {
    expect(await refused("drop trigger audit_events_append_only on audit_events")).toMatch(/must be owner/);
    expect(await refused("alter table audit_events disable trigger user")).toMatch(/must be owner/);
    expect(await refused("alter table scores disable trigger all")).toMatch(/must be owner/);
    expect(await refused("drop table audit_events")).toMatch(/must be owner/);
    expect(await refused("set session_replication_role = replica")).toMatch(/permission denied/);
  });

  it("cannot rewrite or remove the trails, finished chunks or completed runs", async () => {
    expect(await refused("update scores set score = 0")).toMatch(/permission denied/);
    expect(await refused("delete from audit_events")).toMatch(/permission denied/);
    expect(await refused("truncate audit_events")).toMatch(/permission denied/);
    expect(await refused("truncate scoring_chunks")).toMatch(/permission denied/);
    expect(await refused(`update scoring_chunks set digest = 'forged' where run_id = '${runId}'`)).toMatch(/is finished: UPDATE refused/);
    expect(await refused(`delete from scoring_chunks where run_id = '${runId}'`)).toMatch(/is finished: DELETE refused/);
    expect(await refused(`update scoring_runs set root_digest = 'forged' where id = '${runId}'`)).toMatch(/is completed: UPDATE refused/);
    expect(await refused(`delete from scoring_runs where id = '${runId}'`)).toMatch(/(is completed: DELETE refused|violates foreign key)/);
  });

  it("still does the service's work: appends to the chain, records progress, drops a run's scores", async () => {
    // In a transaction, as a state change records its event: staged, then chained at COMMIT by the trigger.
    await appDatabase.db.transaction((tx) => appendAuditEvent(tx, { actor: SYSTEM_ACTOR, action: "test.as_app" }));
    const [chained] = await app<{ n: number }[]>`select count(*)::int as n from audit_events where action = 'test.as_app'`;
    expect(chained.n).toBe(1);
    const [staged] = await owner<{ n: number }[]>`select count(*)::int as n from audit_staged`;
    expect(staged.n).toBe(0);
    await app`update scoring_runs set progress = progress || '{"note": 1}' where id = ${runId}`;
    const [{ dropped }] = await app<{ dropped: boolean }[]>`select cts_drop_scores_partition(${runId}::uuid) as dropped`;
    expect(dropped).toBe(true);
  });
});
