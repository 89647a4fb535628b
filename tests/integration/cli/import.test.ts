import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoPopulation } from "../../../data/demo/write-csv.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { type CliTarget, serveForCli } from "../../helpers/cli.js";
import { putDemoSchema, tableCounts, withCell } from "../../helpers/ingest.js";

describe("cts files import | outcomes import", () => {
  let ctx: TestContext;
  let cli: CliTarget;
  let officer: string;
  let dir: string;

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    officer = await ctx.key("data_officer");
    await putDemoSchema(ctx, officer);
    dir = mkdtempSync(join(tmpdir(), "cts-cli-import-"));
    // About 1 MB of files: several 256 kB body chunks, so the upload shows more than one step.
    await writeDemoPopulation(dir, { files: 6000, seed: 5 });
    cli = await serveForCli(ctx);
  });
  afterAll(async () => {
    await cli.close();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cts = (...args: string[]) => cli.cts(officer, ...args);

  it("imports files through the API, printing the counts on stdout and the upload's progress on stderr", async () => {
    const { stdout, stderr } = await cts("files", "import", join(dir, "files.csv"));
    expect(JSON.parse(stdout)).toMatchObject({ rows: 6000, inserted: 6000, updated: 0, rejected: 0 });
    const lines = stderr.trim().split("\n");
    const percents = lines.filter((l) => l.startsWith("uploading")).map((l) => Number(/ (\d+)% /.exec(l)?.[1]));
    expect(percents.length).toBeGreaterThan(1);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(lines.at(-1)).toMatch(/^uploaded \d+ kB in \d+s; the service is writing the last rows and committing$/);
    expect((await tableCounts(ctx)).files).toBe(6000);
  });

  it("sends a .gz file gzip-encoded", async () => {
    const gz = join(dir, "outcomes.csv.gz");
    writeFileSync(gz, gzipSync(readFileSync(join(dir, "outcomes.csv"))));
    const rows = readFileSync(join(dir, "outcomes.csv"), "utf8").trimEnd().split("\n").length - 1;
    const { stdout } = await cts("outcomes", "import", gz);
    expect(JSON.parse(stdout)).toMatchObject({ rows, inserted: rows, rejected: 0 });
    expect((await tableCounts(ctx)).outcomes).toBe(rows);
  });

  it("prints the problem with its line and exits 1 when the service refuses the import", async () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, withCell(readFileSync(join(dir, "files.csv"), "utf8"), 4, "turnover", "lots"));
    const before = await tableCounts(ctx);
    const failed = await cts("files", "import", bad).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: "" });
    const problem = JSON.parse(failed?.stderr.trim().split("\n").at(-1) ?? "{}");
    expect(problem).toMatchObject({ status: 422, errors: [{ line: 4, column: "turnover" }] });
    expect(await tableCounts(ctx)).toEqual(before);
  });
});
