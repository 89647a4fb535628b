import { describe, expect, it } from "vitest";
import { fmtDateTime, fmtPercent, formatsFor, localeFrom } from "../../../services/web/format.js";

describe("localeFrom", () => {
  it("takes the browser's first supported language by weight, else en-GB", () => {
    expect(localeFrom(undefined)).toBe("en-GB");
    expect(localeFrom("")).toBe("en-GB");
    expect(localeFrom("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(localeFrom("en;q=0.5, fr-FR;q=0.9")).toBe("fr-FR");
    expect(localeFrom("*")).toBe("en-GB");
    expect(localeFrom("not a tag!, nl-NL;q=0.2")).toBe("nl-NL");
    expect(localeFrom("de;q=0")).toBe("en-GB");
  });
});

describe("formatsFor", () => {
  it("formats numbers and dates for the locale, with the time zone's name", () => {
    const at = new Date("2026-12-04T08:30:00Z");
    expect(formatsFor("en-GB", "UTC").dateTime.format(at)).toBe("4 Dec 2026, 08:30 UTC");
    expect(formatsFor("de-DE", "Europe/Berlin").dateTime.format(at)).toBe("4. Dez. 2026, 09:30 MEZ");
    expect(formatsFor("de-DE", "UTC").decimal.format(1250.5)).toBe("1.250,5");
    expect(formatsFor("en-GB", "UTC").percent.format(0.1234)).toBe("12.3%");
  });

  it("outside a request, the page helpers use en-GB and UTC", () => {
    expect(fmtDateTime(new Date("2026-12-04T08:30:00Z"))).toBe("4 Dec 2026, 08:30 UTC");
    expect(fmtPercent(0.1)).toBe("10.0%");
  });
});
