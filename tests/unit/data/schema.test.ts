import { describe, expect, it } from "vitest";
import { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { DEMO_AMOUNT_ATTRIBUTE, demoSchema } from "../../../data/demo/schema.js";

describe("demoSchema", () => {
  it("validates with FeatureSchemaDefinition", () => {
    expect(FeatureSchemaDefinition.safeParse(demoSchema()).success).toBe(true);
  });

  it("declares 20 to 30 attributes of every type, one date and a numeric amountAttribute", () => {
    const { attributes, amountAttribute } = demoSchema();
    expect(attributes.length).toBeGreaterThanOrEqual(20);
    expect(attributes.length).toBeLessThanOrEqual(30);
    const count = (type: string) => attributes.filter((a) => a.type === type).length;
    expect(count("numeric")).toBeGreaterThanOrEqual(10);
    expect(count("categorical")).toBeGreaterThanOrEqual(4);
    expect(count("boolean")).toBeGreaterThanOrEqual(3);
    expect(count("date")).toBe(1);
    expect(amountAttribute).toBe(DEMO_AMOUNT_ATTRIBUTE);
    expect(attributes.find((a) => a.name === amountAttribute)?.type).toBe("numeric");
  });

  it("marks one or two categorical attributes as segments and one as ignored", () => {
    const { attributes } = demoSchema();
    const segments = attributes.filter((a) => a.role === "segment");
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(segments.length).toBeLessThanOrEqual(2);
    expect(segments.every((a) => a.type === "categorical")).toBe(true);
    expect(attributes.filter((a) => a.role === "ignore")).toHaveLength(1);
  });

  it("returns a fresh copy on each call", () => {
    const a = demoSchema();
    a.attributes[0].name = "changed";
    expect(demoSchema().attributes[0].name).toBe("sector");
  });
});
