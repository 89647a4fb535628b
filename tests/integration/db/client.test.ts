import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase, queryRows } from "../../../services/db/client.js";
import { createPostgresTestDatabase, type TestDatabase } from "../../helpers/database.js";

/** The statements this session holds prepared whose text starts with `prefix`. */
const preparedLike = (db: Database["db"], prefix: string) =>
  queryRows<{ n: number }>(db, sql`select count(*)::int as n from pg_prepared_statements where statement like ${`${prefix}%`}`).then(
    ([row]) => row.n,
  );

describe("the Postgres client", () => {
  let test: TestDatabase;
  let single: Database;
  beforeAll(async () => {
    test = await createPostgresTestDatabase();
    // One connection, so that every query below runs in the same session.
    single = await openDatabase({ url: test.url as string, maxConnections: 1 });
  });
  afterAll(async () => {
    await single.close();
    await test.drop();
  });

  it("prepares a statement with parameters once per connection and runs it again prepared", async () => {
    for (const n of [1, 2, 3]) {
      const [row] = await queryRows<{ n: number }>(single.db, sql`select ${n}::int + 0 as n`);
      expect(row.n).toBe(n);
    }
    expect(await preparedLike(single.db, "select $1::int + 0")).toBe(1);
  });

  it("prepares inside transactions and savepoints too", async () => {
    await single.db.transaction(async (tx) => {
      await queryRows(tx, sql`select ${"a"}::text || 'tx' as s`);
      await tx.transaction(async (savepoint) => {
        await queryRows(savepoint, sql`select ${"b"}::text || 'savepoint' as s`);
      });
      expect(await preparedLike(tx, "select $1::text || 'tx'")).toBe(1);
      expect(await preparedLike(tx, "select $1::text || 'savepoint'")).toBe(1);
    });
  });

  it("runs a statement without parameters as a simple query, unprepared", async () => {
    await queryRows(single.db, sql`select 41 + 1 as n`);
    expect(await preparedLike(single.db, "select 41 + 1")).toBe(0);
  });
});
