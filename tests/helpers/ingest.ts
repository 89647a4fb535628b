import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { DEMO_FIXTURE_PATHS } from "../../data/fixtures/demo-fixture.js";
import { demoSchema } from "../../data/demo/schema.js";
import { queryRows } from "../../services/db/client.js";
import type { TestContext } from "./app.js";

/** The committed demo fixture (500 files, their past controls) as CSV text. */
export const fixtureFilesCsv = () => readFileSync(DEMO_FIXTURE_PATHS.files, "utf8");
export const fixtureOutcomesCsv = () => readFileSync(DEMO_FIXTURE_PATHS.outcomes, "utf8");

/** PUTs the demo schema as `key` and returns its version. */
export async function putDemoSchema(ctx: TestContext, key: string): Promise<number> {
  const res = await ctx.request("PUT", "/v1/schema", { key, json: demoSchema() });
  if (res.status !== 200) throw new Error(`PUT /v1/schema: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { version: number }).version;
}

/** POSTs a CSV body to an import path. */
export const postCsv = (ctx: TestContext, path: string, key: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  ctx.request("POST", path, { key, body: body as RequestInit["body"], headers: { "content-type": "text/csv", ...headers } });

/** Row counts of the tables an import may touch, to show that a refused import changed nothing. */
export async function tableCounts(ctx: TestContext) {
  const [row] = await queryRows<{ files: number; outcomes: number; events: number; schemas: number }>(
    ctx.test.database.db,
    sql`select (select count(*)::int from files) as files, (select count(*)::int from outcomes) as outcomes,
               (select count(*)::int from audit_events) as events, (select count(*)::int from feature_schemas) as schemas`,
  );
  return row;
}

/** Replaces one cell (by column name) on one data line (1-based CSV line) of a CSV text. */
export function withCell(csv: string, line: number, column: string, value: string): string {
  const lines = csv.split("\n");
  const header = lines[0].split(",");
  const at = header.indexOf(column);
  if (at < 0) throw new Error(`no column ${column}`);
  const cells = lines[line - 1].split(",");
  cells[at] = value;
  lines[line - 1] = cells.join(",");
  return lines.join("\n");
}

/** The first `n` data lines of a CSV text, with its header. */
export const headLines = (csv: string, n: number) => `${csv.split("\n").slice(0, n + 1).join("\n")}\n`;

export interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string; line?: number; column?: string }[];
}
