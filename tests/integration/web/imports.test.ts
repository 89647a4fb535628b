import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, files } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { buildScoredPopulation } from "../../helpers/scored-population.js";
import { ORIGIN, webSignIn, type WebClient } from "../../helpers/web.js";

let ctx: TestContext;
let officer: WebClient;
beforeAll(async () => {
  ctx = await createTestContext();
  await buildScoredPopulation(ctx.test.database.db, { units: { north: 5 } });
  officer = await webSignIn(ctx, await ctx.key("data_officer", [], "Olga Officer"));
});
afterAll(() => ctx?.close());

/** A multipart upload as the imports form sends it. */
function upload(client: WebClient, fields: Record<string, string>, csv: string) {
  const body = new FormData();
  body.set("_csrf", client.csrf);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("csv", new File([csv], "upload.csv", { type: "text/csv" }));
  return ctx.app.request("/app/imports", { method: "POST", headers: { cookie: client.cookie, origin: ORIGIN }, body });
}

const CSV = "id,unit,region,amount\nweb-1,north,coast,10\nweb-2,north,hills,lots\n";

describe("data officer: imports", () => {
  it("all-or-nothing refuses the file and lists each refused line and field; nothing is written", async () => {
    const res = await upload(officer, { kind: "files", mode: "all-or-nothing" }, CSV);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Import refused");
    expect(html).toMatch(/<td class="num">3<\/td><td>amount<\/td>/);
    expect(await ctx.test.database.db.select().from(files).where(eq(files.id, "web-1"))).toHaveLength(0);
  });

  it("skip-invalid imports the good lines, says how many, and lists the refused ones; the import is audited", async () => {
    const res = await upload(officer, { kind: "files", mode: "skip-invalid" }, CSV);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Import done");
    expect(html).toContain("inserted: 1");
    expect(html).toMatch(/<td class="num">3<\/td><td>amount<\/td>/);
    expect(await ctx.test.database.db.select().from(files).where(eq(files.id, "web-1"))).toHaveLength(1);
    const [event] = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, "files.import"));
    expect(event.details).toMatchObject({ via: "web", name: "upload.csv" });
  });

  it("the page shows the feature schema and its version", async () => {
    const html = await (await officer.get("/app/imports")).text();
    expect(html).toContain("Feature schema version 1");
    expect(html).toContain("<td>region</td><td>categorical</td>");
    expect(html).toContain('<strong aria-current="page">1</strong>');
    // A second version: the page shows it, and links back to version 1.
    const put = await ctx.request("PUT", "/v1/schema", {
      key: await ctx.key("data_officer"),
      json: {
        attributes: [
          { name: "region", type: "categorical", role: "feature", missing: "allow" },
          { name: "amount", type: "numeric", role: "feature", missing: "allow" },
          { name: "sector", type: "categorical", role: "segment", missing: "allow" },
        ],
        amountAttribute: "amount",
      },
    });
    expect(put.status).toBeLessThan(300);
    const v2 = await (await officer.get("/app/imports")).text();
    expect(v2).toContain("Feature schema version 2");
    expect(v2).toContain('<a href="/app/imports?version=1">1</a>');
    const v1 = await (await officer.get("/app/imports?version=1")).text();
    expect(v1).toContain("Feature schema version 1");
    expect(v1).not.toContain("<td>sector</td>");
  });

  it("an upload without the CSRF token, or by an inspector, is refused", async () => {
    const forged = await upload({ ...officer, csrf: "nope" }, { kind: "files", mode: "skip-invalid" }, "id,unit,region,amount\nweb-9,north,coast,1\n");
    expect(forged.status).toBe(403);
    const inspector = await webSignIn(ctx, await ctx.key("inspector", ["north"]));
    expect((await upload(inspector, { kind: "files", mode: "skip-invalid" }, "id,unit,region,amount\nweb-9,north,coast,1\n")).status).toBe(403);
    expect(await ctx.test.database.db.select().from(files).where(eq(files.id, "web-9"))).toHaveLength(0);
  });
});
