import { describe, expect, it } from "vitest";
import { checkOutcomeJson, compileOutcomeCsv } from "../../../services/ingest/validate-outcome.js";
import type { RowError } from "../../../services/ingest/validate-row.js";
import { latestToday } from "../../../services/ingest/values.js";

const TODAY = "2025-06-30";

describe("compileOutcomeCsv", () => {
  it("reads a row, defaulting selected_by to unknown", () => {
    const compiled = compileOutcomeCsv(["file_id", "controlled_at", "outcome", "amount"], TODAY);
    if (!compiled.ok) throw new Error("header refused");
    const errors: RowError[] = [];
    expect(compiled.validator.check(["F1", "2025-06-30", "1", "12.5"], 2, errors)).toEqual({
      line: 2,
      fileId: "F1",
      controlledAt: "2025-06-30",
      outcome: 1,
      amount: 12.5,
      selectedBy: "unknown",
      selectionProbability: null,
      inspector: null,
      notes: null,
    });
  });

  it("refuses future dates, outcomes other than 0/1 and probabilities outside (0, 1]", () => {
    const errors: RowError[] = [];
    expect(checkOutcomeJson({ fileId: "F1", controlledAt: "2025-07-01", outcome: 2, selectionProbability: 0 }, 4, TODAY, errors)).toBeNull();
    expect(errors.map((e) => e.column)).toEqual(["controlledAt", "outcome", "selectionProbability"]);
  });

  it("refuses a header without file_id, controlled_at or outcome", () => {
    const compiled = compileOutcomeCsv(["file_id", "outcome", "colour"], TODAY);
    expect(compiled.ok).toBe(false);
  });
});

describe("latestToday", () => {
  it("is the date in UTC+14, so no time zone's today is in the future", () => {
    expect(latestToday(new Date("2025-06-30T12:00:00Z"))).toBe("2025-07-01");
    expect(latestToday(new Date("2025-06-30T09:00:00Z"))).toBe("2025-06-30");
  });
});
