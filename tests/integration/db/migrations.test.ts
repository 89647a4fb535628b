import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Database, migrateDatabase, openDatabase, queryRows } from "../../../services/db/client.js";
import { createTestDatabase, DRIVERS } from "../../helpers/database.js";

const TABLES = [
  "api_keys", "audit_events", "audit_staged", "control_list_items", "control_lists", "feature_schemas",
  "files", "models", "outcomes", "scores", "scoring_chunks", "scoring_runs", "web_sessions", "yield_estimates",
];

async function tableNames(database: Database) {
  const rows = await queryRows<{ name: string }>(
    database.db,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
  );
  return rows.map((r) => r.name);
}

describe("migrations", () => {
  const adminUrl = inject("pgAdminUrl");
  const name = `cts_t_${inject("runId")}_mig${randomUUID().slice(0, 6)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const dir = mkdtempSync(join(tmpdir(), "cts-pglite-"));
  afterAll(async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("apply on a fresh Postgres database, and again idempotently", async () => {
    await admin.unsafe(`create database ${name}`);
    const database = await openDatabase({ url: adminUrl.replace(/\/[^/]*$/, `/${name}`) });
    await migrateDatabase(database);
    expect(await tableNames(database)).toEqual(TABLES);
    await migrateDatabase(database);
    const [partitioned] = await queryRows<{ partitioned: boolean }>(
      database.db,
      sql`select relkind = 'p' as partitioned from pg_class where relname = 'scores'`,
    );
    expect(partitioned.partitioned).toBe(true);
    await database.close();
  });

  it("apply on a fresh PGlite directory, and again after reopening it", async () => {
    const first = await openDatabase({ pgliteDir: dir });
    await migrateDatabase(first);
    expect(await tableNames(first)).toEqual(TABLES);
    await first.close();
    const second = await openDatabase({ pgliteDir: dir });
    await migrateDatabase(second);
    expect(await tableNames(second)).toEqual(TABLES);
    await second.close();
  });
});

describe.each(DRIVERS)("append-only trails on %s", (driver) => {
  const REFUSED = /append-only/;
  const runId = randomUUID();

  let test: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    const { db } = test.database;
    await db.execute(sql`select cts_create_scores_partition(${runId}::uuid)`);
    await db.execute(sql`insert into scores (run_id, file_id, model_id, model_sha256, score, reasons, input_digest)
      values (${runId}::uuid, 'F1', ${runId}::uuid, 'sha', 0.5, '[]', 'digest')`);
    await db.execute(sql`insert into audit_events (id, at, actor, role, action, details, prev_hash, hash)
      values (1, now(), 'system', 'admin', 'test', '{}', 'p', 'h')`);
  });
  afterAll(() => test.drop());

  /** The database's own message, whichever driver wraps it. */
  const failure = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return "not refused";
    } catch (error) {
      const e = error as Error & { cause?: Error };
      return `${e.message} ${e.cause?.message ?? ""}`;
    }
  };

  it("refuses a second score for the same run and file (one unique index per partition)", async () => {
    const again = await failure(() =>
      test.database.db.execute(sql`insert into scores (run_id, file_id, model_id, model_sha256, score, reasons, input_digest)
        values (${runId}::uuid, 'F1', ${runId}::uuid, 'sha', 0.9, '[]', 'digest')`),
    );
    expect(again).toMatch(/duplicate key/);
  });

  it.each([
    ["UPDATE scores", sql`update scores set score = 1`],
    ["DELETE FROM scores", sql`delete from scores`],
    ["TRUNCATE scores", sql`truncate scores`],
    ["TRUNCATE a scores partition", sql.raw(`truncate scores_${runId.replace(/-/g, "")}`)],
    ["UPDATE audit_events", sql`update audit_events set action = 'x'`],
    ["DELETE FROM audit_events", sql`delete from audit_events`],
    ["TRUNCATE audit_events", sql`truncate audit_events`],
  ])("refuses %s", async (_label, statement) => {
    expect(await failure(() => test.database.db.execute(statement))).toMatch(REFUSED);
    const [counts] = await queryRows<{ scores: number; events: number; score: number }>(
      test.database.db,
      sql`select (select count(*)::int from scores) as scores, (select count(*)::int from audit_events) as events,
          (select score from scores limit 1) as score`,
    );
    expect(counts).toEqual({ scores: 1, events: 1, score: 0.5 });
  });
});

describe.each(DRIVERS)("the file reference of outcomes on %s (triggers, migration 0008)", (driver) => {
  let test: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    test = await createTestDatabase(driver);
    await test.database.db.execute(sql`insert into files (id, unit, attributes) values ('F1', 'u', '{}'), ('F2', 'u', '{}'), ('F3', 'u', '{}')`);
    await test.database.db.execute(sql`insert into outcomes (file_id, unit, controlled_at, outcome, recorded_by) values ('F1', 'u', '2024-01-01', 1, 't')`);
  });
  afterAll(() => test.drop());

  const run = async (statement: ReturnType<typeof sql>) => {
    try {
      await test.database.db.execute(statement);
      return "done";
    } catch (error) {
      const e = error as Error & { cause?: Error & { code?: string }; code?: string };
      return `${e.cause?.code ?? e.code ?? ""} ${e.message} ${e.cause?.message ?? ""}`;
    }
  };
  const counts = async () =>
    (
      await queryRows<{ files: number; outcomes: number }>(
        test.database.db,
        sql`select (select count(*)::int from files) as files, (select count(*)::int from outcomes) as outcomes`,
      )
    )[0];

  it("refuses a statement that names an unknown file, whole (23503)", async () => {
    const result = await run(sql`insert into outcomes (file_id, unit, controlled_at, outcome, recorded_by)
      values ('F2', 'u', '2024-01-01', 0, 't'), ('nope', 'u', '2024-01-01', 0, 't')`);
    expect(result).toMatch(/23503.*file "nope" does not exist/s);
    expect(await run(sql`update outcomes set file_id = 'nope'`)).toMatch(/file "nope" does not exist/);
    expect(await counts()).toEqual({ files: 3, outcomes: 1 });
  });

  it("refuses an outcome whose unit is not its file's unit (migration 0021), and one with no unit", async () => {
    expect(await run(sql`insert into outcomes (file_id, unit, controlled_at, outcome, recorded_by) values ('F2', 'v', '2024-01-01', 0, 't')`)).toMatch(
      /23514.*outcome of file "F2" names unit "v", but the file is in unit "u"/s,
    );
    expect(await run(sql`insert into outcomes (file_id, controlled_at, outcome, recorded_by) values ('F2', '2024-01-01', 0, 't')`)).toMatch(
      /23514.*names unit null/s,
    );
    expect(await counts()).toEqual({ files: 3, outcomes: 1 });
  });

  it("refuses deleting, renaming or truncating a file that has outcomes, and deletes one that has none", async () => {
    expect(await run(sql`delete from files where id = 'F1'`)).toMatch(/23503.*file "F1" has outcomes/s);
    expect(await run(sql`update files set id = 'F9' where id = 'F1'`)).toMatch(/file "F1" has outcomes/);
    expect(await run(sql`truncate files`)).toMatch(/outcomes refer to its files/);
    expect(await run(sql`update files set unit = 'v' where id = 'F1'`)).toBe("done");
    expect(await run(sql`delete from files where id = 'F3'`)).toBe("done");
    expect(await counts()).toEqual({ files: 2, outcomes: 1 });
  });
});
