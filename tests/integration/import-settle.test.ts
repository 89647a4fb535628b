import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { queryRows } from "../../services/db/client.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { fixtureFilesCsv, postCsv, putDemoSchema } from "../helpers/ingest.js";

/** What the planner knows of files: reltuples (-1: never vacuumed or analyzed) and the last vacuum/analyze. */
async function filesStats(ctx: TestContext) {
  const [row] = await queryRows<{ reltuples: number; vacuumed: boolean; analyzed: boolean }>(
    ctx.test.database.db,
    sql`select c.reltuples::float8 as reltuples, s.last_vacuum is not null as vacuumed, s.last_analyze is not null as analyzed
        from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.oid = 'files'::regclass`,
  );
  return row;
}

describe("a large files import leaves the table settled for the scoring run after it", () => {
  let ctx: TestContext | undefined;
  afterEach(() => ctx?.close());

  it("from IMPORT_SETTLE_ROWS rows on, files is vacuumed and analyzed before the import answers", async () => {
    ctx = await createTestContext("postgres", { IMPORT_SETTLE_ROWS: "400" });
    const officer = await ctx.key("data_officer");
    await putDemoSchema(ctx, officer);
    expect((await filesStats(ctx)).reltuples).toBe(-1);
    const res = await postCsv(ctx, "/v1/files/import", officer, fixtureFilesCsv());
    expect(res.status).toBe(200);
    expect(await filesStats(ctx)).toEqual({ reltuples: 500, vacuumed: true, analyzed: true });
  });

  it("below it, the import leaves the table to autovacuum", async () => {
    ctx = await createTestContext("postgres", { IMPORT_SETTLE_ROWS: "501" });
    const officer = await ctx.key("data_officer");
    await putDemoSchema(ctx, officer);
    expect((await postCsv(ctx, "/v1/files/import", officer, fixtureFilesCsv())).status).toBe(200);
    expect(await filesStats(ctx)).toEqual({ reltuples: -1, vacuumed: false, analyzed: false });
  });
});
