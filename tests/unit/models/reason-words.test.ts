import { describe, expect, it } from "vitest";
import type { AttributeEncoding } from "../../../models/encoder-state.js";
import { reasonInWords } from "../../../models/reason-words.js";

const turnover: AttributeEncoding = {
  name: "turnover",
  type: "numeric",
  offset: 0,
  width: 2,
  missingColumn: true,
  transform: "log1p",
  median: 13.65,
  scale: 1.2,
  typical: 850_000,
};
const legalForm: AttributeEncoding = {
  name: "legal_form",
  type: "categorical",
  offset: 2,
  width: 4,
  missingColumn: true,
  levels: ["SA", "SARL"],
  typical: "SA",
};

describe("reasonInWords on a known file", () => {
  it("says the label, the file's value, the typical value and the direction of a numeric", () => {
    const r = reasonInWords(turnover, { attribute: "turnover", contribution: 0.41 }, 1_200_000, { label: "Turnover" });
    expect(r.text).toBe("Turnover 1.2M, above the typical 850K: raises the risk");
    expect(r).toMatchObject({ comparison: "above", direction: "raises", value: 1_200_000, reference: 850_000 });
  });

  it("words a value below the typical one that lowers the risk", () => {
    const r = reasonInWords(turnover, { attribute: "turnover", contribution: -0.2 }, 12_500);
    expect(r.text).toBe("turnover 12.5K, below the typical 850K: lowers the risk");
  });

  it("compares a category with the most common one, and says when a value is missing", () => {
    expect(reasonInWords(legalForm, { attribute: "legal_form", contribution: 0.1 }, "SARL", { label: "Legal form" }).text).toBe(
      "Legal form SARL, unlike the most common SA: raises the risk",
    );
    expect(reasonInWords(legalForm, { attribute: "legal_form", contribution: -0.1 }, null).text).toBe("legal_form not given: lowers the risk");
  });

  it("formats numbers for the reader's locale", () => {
    const r = reasonInWords(turnover, { attribute: "turnover", contribution: 0.41 }, 1_200_000, { locale: "fr" });
    expect(r.text).toMatch(/^turnover 1,2\sM, above the typical 850\sk: raises the risk$/);
  });
});
