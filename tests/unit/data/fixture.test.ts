import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDemoPopulation } from "../../../data/demo/write-csv.js";
import { DEMO_FIXTURE_OPTIONS, DEMO_FIXTURE_PATHS } from "../../../data/fixtures/demo-fixture.js";

describe("data/fixtures/demo", () => {
  it("matches the generator byte for byte (regenerate with data/fixtures/regenerate.ts)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "demo-fixture-"));
    try {
      const fresh = await writeDemoPopulation(dir, DEMO_FIXTURE_OPTIONS);
      for (const key of ["files", "outcomes", "truth", "schema"] as const) {
        expect(await readFile(DEMO_FIXTURE_PATHS[key], "utf8"), key).toBe(await readFile(fresh.paths[key], "utf8"));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
