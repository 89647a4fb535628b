import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../../services/db/schema/index.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";
import { insertEvaluatedModel } from "../../helpers/evidence.js";
import { webSignIn, type WebClient } from "../../helpers/web.js";

/** Pages format numbers and dates for the reader's Accept-Language, in the service's WEB_TIME_ZONE. */
let ctx: TestContext;
let officer: WebClient;
let auditor: WebClient;
let modelId: string;
beforeAll(async () => {
  ctx = await createTestContext("postgres", { WEB_TIME_ZONE: "Europe/Paris" });
  officer = await webSignIn(ctx, await ctx.key("data_officer", [], "Olga Officer"));
  auditor = await webSignIn(ctx, await ctx.key("auditor", [], "Ada Auditor"));
  modelId = await insertEvaluatedModel(ctx.test.database.db, { trainedBy: "cts_someone0" });
});
afterAll(() => ctx?.close());

describe("the reader's locale on the pages", () => {
  it("percentages follow Accept-Language, and en-GB without one", async () => {
    const german = await (await officer.get(`/app/models/${modelId}`, { "accept-language": "de-DE,de;q=0.9" })).text();
    expect(german).toMatch(/<option value="0.1" selected="">10,0\u00a0%<\/option>/);
    const british = await (await officer.get(`/app/models/${modelId}`)).text();
    expect(british).toContain('<option value="0.1" selected="">10.0%</option>');
  });

  it("times are in the configured time zone, named, in the reader's format", async () => {
    const [event] = await ctx.test.database.db.select().from(auditEvents).where(eq(auditEvents.action, "web.sign_in")).orderBy(desc(auditEvents.id)).limit(1);
    const parisHour = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" }).format(event.at);
    const html = await (await auditor.get("/app/audit", { "accept-language": "fr-FR" })).text();
    const inParis = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { ...o, timeZone: "Europe/Paris" }).format(event.at);
    // The zone's short name depends on the season (CET or CEST; in French UTC+1 or UTC+2).
    const zone = (locale: string) =>
      new Intl.DateTimeFormat(locale, { timeZone: "Europe/Paris", timeZoneName: "short" }).formatToParts(event.at).find((p) => p.type === "timeZoneName")?.value ?? "";
    expect(zone("en-GB")).toMatch(/^CES?T$/);
    const escaped = (z: string) => z.replace("+", "\\+");
    expect(html).toMatch(new RegExp(`${inParis({ day: "numeric" })} [a-zéû]+\\.? ${inParis({ year: "numeric" })}[^<]*${parisHour} ${escaped(zone("fr-FR"))}`));
    expect(await (await auditor.get("/app/audit")).text()).toMatch(new RegExp(`${parisHour} ${zone("en-GB")}`));
  });
});
