import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../services/config.js";

describe("parseConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: "var", QUEUE_PREFIX: "cts", LOG_LEVEL: "info" });
    expect(config.DATABASE_URL).toBeUndefined();
  });
  it("treats empty variables as unset", () => {
    expect(parseConfig({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });
  it("lists every bad variable at once", () => {
    expect(() => parseConfig({ PORT: "seventy", TFJS_BACKEND: "gpu", DATABASE_URL: "not a url" })).toThrow(
      /PORT[\s\S]*TFJS_BACKEND|TFJS_BACKEND[\s\S]*PORT/,
    );
    expect(() => parseConfig({ DATABASE_URL: "not a url" })).toThrow(/DATABASE_URL/);
  });
});
