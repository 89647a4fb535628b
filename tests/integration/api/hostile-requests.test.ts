import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../../services/db/client.js";
import { sql } from "drizzle-orm";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { ProblemBody } from "../../helpers/problem.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";

/**
 * Every operation of the OpenAPI document the app serves, called with generated hostile input
 * (path and query values, JSON bodies shaped after the operation's schema, CSV, headers): the
 * answer is never a 5xx, every error is a problem+json, and a refused request writes no row.
 */
interface Operation {
  method: string;
  path: string;
  roles: string[];
  pathParams: string[];
  queryParams: string[];
  bodyTypes: string[];
  bodyProperties: string[];
}

const NASTY = [
  "\u0000",
  "a\u0000b",
  "99999999999",
  "-99999999999999999999",
  "1e309",
  "NaN",
  "-1",
  "0",
  "%",
  "_",
  "*",
  "' or 1=1 --",
  "../../etc/passwd",
  " ",
  "\u200b",
  "\ud800",
  "𝕏",
  "[]",
  "{}",
  "null",
  "true",
  "x".repeat(5000),
];
const hostileText = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 30 }), fc.constantFrom(...NASTY));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, 2 ** 53, -1e308, 1e308),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
);

/** Percent-encodes what encodeURIComponent can, and sometimes sends broken escapes as they are. */
const pathValue = (known: string[]) =>
  fc.oneof(
    fc.constantFrom(...known),
    hostileText.map((s) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return "%ED%A0%80";
      }
    }),
    fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%2e%2e"),
  );

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>>; components?: { schemas?: Record<string, unknown> } }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters as { in: string; name: string }[] | undefined) ?? [];
      const content = ((op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined)?.content) ?? {};
      const jsonSchema = resolve(doc, content["application/json"]?.schema);
      ops.push({
        method: method.toUpperCase(),
        path,
        roles: (op["x-roles"] as string[] | undefined) ?? [],
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        bodyTypes: Object.keys(content),
        bodyProperties: Object.keys((jsonSchema?.properties as Record<string, unknown> | undefined) ?? {}),
      });
    }
  }
  return ops;
}

function resolve(doc: { components?: { schemas?: Record<string, unknown> } }, schema: Record<string, unknown> | undefined) {
  const ref = schema?.$ref as string | undefined;
  if (!ref) return schema;
  return doc.components?.schemas?.[ref.split("/").pop() as string] as Record<string, unknown> | undefined;
}

describe("hostile requests against every operation of the OpenAPI document", () => {
  let ctx: TestContext;
  let ops: Operation[];
  const keys: Record<string, string> = {};
  let known: string[];

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    const pop = await buildScoredPopulation(ctx.test.database.db, { units: { north: 60 } });
    keys.admin = await ctx.key("admin");
    keys.data_officer = await ctx.key("data_officer");
    keys.auditor = await ctx.key("auditor");
    keys.inspector = await ctx.key("inspector", ["north"]);
    const list = (await (await ctx.request("POST", "/v1/control-lists", { key: keys.inspector, json: { unit: "north", capacity: 5 } })).json()) as {
      id: string;
    };
    known = [pop.modelId, pop.runId, list.id, pop.files[0].id, "00000000-0000-4000-8000-000000000000"];
    ops = operationsOf((await (await ctx.request("GET", "/openapi.json")).json()) as Parameters<typeof operationsOf>[0]);
  });
  afterAll(() => ctx.close());

  /** Row counts of every table but the audit trail (a refused request may be audited as such). */
  const rowCounts = async () => {
    const rows = await queryRows<{ counts: Record<string, number> }>(
      ctx.test.database.db,
      sql`select jsonb_object_agg(t, n) as counts from (
            select 'files' as t, count(*) as n from files union all select 'outcomes', count(*) from outcomes
            union all select 'models', count(*) from models union all select 'scoring_runs', count(*) from scoring_runs
            union all select 'scores', count(*) from scores union all select 'control_lists', count(*) from control_lists
            union all select 'control_list_items', count(*) from control_list_items where status <> 'pending'
            union all select 'api_keys', count(*) from api_keys where revoked_at is not null
            union all select 'api_keys_all', count(*) from api_keys
            union all select 'feature_schemas', count(*) from feature_schemas) c`,
    );
    return rows[0].counts;
  };

  const request = (op: Operation) =>
    fc.record({
      pathValues: fc.tuple(...op.pathParams.map(() => pathValue(known)), fc.constant("")),
      query: fc.dictionary(fc.constantFrom(...op.queryParams, "x", "limit"), hostileText.map(String), { maxKeys: 3 }),
      body: fc.oneof(
        fc.record(Object.fromEntries(op.bodyProperties.map((p) => [p, hostileValue])), { requiredKeys: [] }),
        hostileValue,
        fc.constantFrom("{", '{"a":', "[".repeat(100_000), '"\\u0000"', "\u0000", ""),
        fc.array(fc.array(hostileText, { maxLength: 5 }), { maxLength: 5 }).map((rows) => rows.map((r) => r.join(",")).join("\n")),
      ),
      contentType: fc.constantFrom(...op.bodyTypes, "application/json", "text/csv", "text/plain", "application/x-www-form-urlencoded"),
      gzip: fc.boolean(),
    });

  /** Cases every operation gets besides the random ones: NUL and out-of-range values in each place. */
  const targeted = (op: Operation) =>
    ["%00", "99999999999", "a%00b"].flatMap((nasty) => [
      [
        {
          pathValues: [...op.pathParams.map(() => nasty), ""],
          query: Object.fromEntries(op.queryParams.map((q) => [q, decodeURIComponent(nasty)])),
          body: Object.fromEntries(op.bodyProperties.map((p) => [p, decodeURIComponent(nasty)])),
          contentType: op.bodyTypes[0] ?? "application/json",
          gzip: false,
        },
      ],
    ]) as never;

  it("never answers 5xx, always answers errors as problem+json, and writes nothing when it refuses", { timeout: 600_000 }, async () => {
    expect(ops.length).toBeGreaterThan(30);
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    for (const op of ops) {
      const role = op.roles[0] ?? "admin";
      await fc.assert(
        fc.asyncProperty(request(op), async (r) => {
          let path = op.path;
          op.pathParams.forEach((name, i) => {
            path = path.replace(`{${name}}`, r.pathValues[i] as string);
          });
          const search = new URLSearchParams();
          for (const [k, v] of Object.entries(r.query)) {
            try {
              search.append(k, v);
            } catch {
              search.append(k, "x");
            }
          }
          const qs = search.toString();
          const headers: Record<string, string> = { authorization: `Bearer ${keys[role]}`, "content-type": r.contentType };
          let body: string | Buffer | undefined;
          if (op.method !== "GET" && op.method !== "DELETE") {
            const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
            body = r.gzip && r.contentType !== "application/json" ? gzipSync(text) : text;
            if (r.gzip && r.contentType !== "application/json") headers["content-encoding"] = "gzip";
          }
          const before = await rowCounts();
          const res = await ctx.app.request(`${path}${qs ? `?${qs}` : ""}`, { method: op.method, headers, body });
          const label = `${op.method} ${path}${qs ? `?${qs}` : ""} -> ${res.status}`;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          const text = await res.text();
          if (res.status >= 500) {
            failures.push(`${label}: ${text.slice(0, 300)}`);
            return;
          }
          if (res.status >= 400) {
            expect(res.headers.get("content-type"), label).toMatch(/^application\/problem\+json/);
            expect(ProblemBody.safeParse(JSON.parse(text)).success, `${label}: ${text.slice(0, 300)}`).toBe(true);
            expect(await rowCounts(), label).toEqual(before);
          }
        }),
        { numRuns: 25, seed: 4242, endOnFailure: true, examples: targeted(op) },
      );
    }
    console.log(JSON.stringify(statuses));
    expect(failures).toEqual([]);
  });
});
