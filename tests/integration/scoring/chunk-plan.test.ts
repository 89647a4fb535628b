import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, queryRows } from "../../../services/db/client.js";
import { planChunks, type RunScope } from "../../../services/db/queries/scoring-run-planning.js";
import { models, scoringRuns } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertDemoFiles } from "../../helpers/demo-files.js";

const FILES = 30_000;
let ctx: TestContext;
let modelId: string;

const db = () => ctx.test.database.db;

beforeAll(async () => {
  ctx = await createTestContext("postgres", { LOG_LEVEL: "error" });
  await insertDemoFiles(ctx.test.database, { files: FILES });
  await db().execute(sql`analyze files`);
  modelId = randomUUID();
  await db().insert(models).values({ id: modelId, name: "plan", seed: 1, trainedBy: "test" });
});

afterAll(async () => {
  await ctx?.close();
});

/** Plans a run's chunks, then counts, per chunk, the files of the scope in its range. */
async function plan(scope: RunScope, chunkSize: number, options: Parameters<typeof planChunks>[4]) {
  const runId = randomUUID();
  await db().insert(scoringRuns).values({ id: runId, modelId, scope: scope as Record<string, unknown>, shadow: false, requestedBy: "test" });
  const totals = await planChunks(db() as Db, runId, scope, chunkSize, options);
  const units = "units" in scope ? scope.units : null;
  const chunks = await queryRows<{ chunkNo: number; first: string; last: string; inScope: number }>(
    db(),
    sql`select c.chunk_no as "chunkNo", c.first_file_id as first, c.last_file_id as last,
               (select count(*) from files f where f.id between c.first_file_id and c.last_file_id
                  and (${units === null} or f.unit in (select jsonb_array_elements_text(${JSON.stringify(units ?? [])}::jsonb))))::int as "inScope"
        from scoring_chunks c where c.run_id = ${runId}::uuid order by c.chunk_no`,
  );
  const [{ inScope, everywhere }] = await queryRows<{ inScope: number; everywhere: number }>(
    db(),
    sql`select count(*) filter (where ${units === null} or unit in (select jsonb_array_elements_text(${JSON.stringify(units ?? [])}::jsonb)))::int as "inScope",
               count(*)::int as everywhere from files`,
  );
  return { totals, chunks, inScope, everywhere };
}

/** Ranges in chunk order never overlap: each file falls in at most one chunk. */
async function expectDisjoint(chunks: { first: string; last: string }[]) {
  for (let i = 1; i < chunks.length; i++) {
    const [{ ordered }] = await queryRows<{ ordered: boolean }>(
      db(),
      sql`select ${chunks[i - 1].first} <= ${chunks[i - 1].last} and ${chunks[i - 1].last} < ${chunks[i].first} as ordered`,
    );
    expect(ordered).toBe(true);
  }
}

describe("planChunks", () => {
  it("plans a scope of 100,000 file ids (past Postgres's 65,534 parameters), covering exactly the known ones", async () => {
    const known = (await queryRows<{ id: string }>(db(), sql`select id from files order by id limit 20000`)).map((r) => r.id);
    const fileIds = [...known, ...Array.from({ length: 80_000 }, (_, i) => `UNKNOWN${i}`)];
    const { totals, chunks } = await plan({ fileIds }, 5000, {});
    expect(totals).toEqual({ chunks: 4, files: 20_000 });
    expect(chunks[0].first).toBe(known[0]);
    expect(chunks.at(-1)?.last).toBe(known.at(-1));
  });

  it("plans exact ranges of chunkSize files under the sampling threshold", async () => {
    const { totals, chunks, inScope } = await plan({ all: true }, 1000, {});
    expect(totals).toEqual({ chunks: 30, files: FILES });
    expect(chunks.map((c) => c.inScope)).toEqual(new Array(30).fill(1000));
    expect(inScope).toBe(FILES);
  });

  it("cuts at quantiles of a block sample above it, covering every file exactly once", async () => {
    // A 3,000-row sample of 30,000 files stands in for 50,000 of a large table.
    const { totals, chunks, inScope } = await plan({ all: true }, 1000, { sampleRows: 3000, minTableRows: 10_000 });
    await expectDisjoint(chunks);
    expect(chunks.reduce((s, c) => s + c.inScope, 0)).toBe(inScope);
    expect(chunks.length).toBe(totals.chunks);
    // The estimate comes from the sample: near the truth, not equal to it by construction.
    expect(Math.abs(totals.files - FILES) / FILES).toBeLessThan(0.25);
    expect(Math.abs(totals.chunks - 30)).toBeLessThanOrEqual(8);
    for (const c of chunks) expect(c.inScope).toBeGreaterThan(0);
  });

  it("keeps only the scope's files in the sample, and falls back to exact for a small scope", async () => {
    const [{ unit, n }] = await queryRows<{ unit: string; n: number }>(db(), sql`select unit, count(*)::int as n from files group by unit order by 2 desc limit 1`);
    const big = await plan({ units: [unit] }, 500, { sampleRows: 3000, minTableRows: 10_000 });
    await expectDisjoint(big.chunks);
    expect(big.chunks.reduce((s, c) => s + c.inScope, 0)).toBe(n);
    expect(Math.abs(big.totals.files - n) / n).toBeLessThan(0.35);

    const [{ small, m }] = await queryRows<{ small: string; m: number }>(db(), sql`select unit as small, count(*)::int as m from files group by unit order by 2 asc limit 1`);
    // Its share of a 3,000-row sample is under 120 rows (1/25): the plan is exact.
    const exact = await plan({ units: [small] }, 100, { sampleRows: 3000, minTableRows: 10_000 });
    expect(exact.totals).toEqual({ chunks: Math.ceil(m / 100), files: m });
    expect(exact.chunks.reduce((s, c) => s + c.inScope, 0)).toBe(m);
  });
});
