import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPopulation } from "../../data/demo/generate.js";
import { createLogger } from "../../services/logger.js";
import { loadDemoIfEmpty } from "../../services/runtime/load-demo.js";
import { createTestContext, type TestContext } from "../helpers/app.js";
import { DRIVERS } from "../helpers/database.js";
import { tableCounts } from "../helpers/ingest.js";

describe.each(DRIVERS)("loadDemoIfEmpty on %s", (driver) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(driver);
  });
  afterAll(() => ctx.close());

  it("loads the demo population into an empty database once, through the import path", async () => {
    const logger = createLogger("silent");
    const expectedOutcomes = [...demoPopulation({ files: 300, seed: 4 })].reduce((n, r) => n + r.outcomes.length, 0);
    const first = await loadDemoIfEmpty(ctx.test.database, { files: 300, seed: 4, logger });
    expect(first).toEqual({ loaded: true, files: 300, outcomes: expectedOutcomes });
    const counts = await tableCounts(ctx);
    expect(counts).toMatchObject({ files: 300, outcomes: expectedOutcomes, schemas: 1 });
    expect(await loadDemoIfEmpty(ctx.test.database, { files: 300, seed: 4, logger })).toEqual({ loaded: false, files: 0, outcomes: 0 });
    expect(await tableCounts(ctx)).toEqual(counts);
  });
});
