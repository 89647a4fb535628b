import { describe, expect, it } from "vitest";
import { FairnessReportSchema } from "../../../models/fairness-schema.js";
import { withReference } from "../../../models/fairness.js";
import { selectionFairnessReport } from "../../../models/selection-fairness.js";

/**
 * 100 files, outcomes known for 30 of them. Region a: 60 files, 12 selected (all labelled: 6 hits),
 * 8 more labelled and not selected (2 positives). Region b: 40 files, 4 selected (all labelled: 3
 * hits), 6 more labelled (1 positive). Every figure below is worked out by hand from these counts.
 */
const build = () => {
  const share: number[] = [];
  const labels: number[] = [];
  const known: number[] = [];
  const region: string[] = [];
  const add = (r: string, count: number, selected: boolean, label: number | null) => {
    for (let i = 0; i < count; i++) {
      share.push(selected ? 1 : 0);
      labels.push(label ?? 0);
      known.push(label === null ? 0 : 1);
      region.push(r);
    }
  };
  add("a", 6, true, 1);
  add("a", 6, true, 0);
  add("a", 2, false, 1);
  add("a", 6, false, 0);
  add("a", 40, false, null);
  add("b", 3, true, 1);
  add("b", 1, true, 0);
  add("b", 1, false, 1);
  add("b", 5, false, 0);
  add("b", 30, false, null);
  const scores = share.map((s, i) => (s ? 0.9 - i / 1000 : 0.5 - i / 1000));
  return {
    share: Float64Array.from(share),
    labels: Uint8Array.from(labels),
    known: Uint8Array.from(known),
    segments: { region },
    scores,
    k: 16,
    capacity: 0.16,
  };
};

describe("selectionFairnessReport", () => {
  const input = build();
  const report = selectionFairnessReport({ ...input, labelScope: "population" });
  const region = report.attributes.find((a) => a.attribute === "region")!;
  const g = (v: string) => region.groups.find((x) => x.value === v)!;

  it("is a valid stored report that says how many files have an outcome", () => {
    expect(FairnessReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report).toMatchObject({ k: 16, n: 100, positives: 12, labels: { scope: "population", labelled: 30 } });
  });

  it("counts every file for the selection rate and only labelled files for the outcome rates", () => {
    const a = g("a");
    expect(a).toMatchObject({ n: 60, labelled: 20, positives: 8, selected: 12, judgeable: true });
    expect(a.rates.selectionRate.value).toBeCloseTo(0.2, 12);
    expect(a.baseRate.value).toBeCloseTo(0.4, 12);
    expect(a.rates.precision.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fdr.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fpr.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fnr.value).toBeCloseTo(0.25, 12);
    expect(a.rates.recall.value).toBeCloseTo(0.75, 12);
    const b = g("b");
    expect(b).toMatchObject({ n: 40, labelled: 10, positives: 4, selected: 4, judgeable: false });
    expect(b.rates.selectionRate.value).toBeCloseTo(0.1, 12);
    expect(b.rates.precision.value).toBeCloseTo(0.75, 12);
    expect(b.rates.fpr.value).toBeCloseTo(1 / 6, 12);
    expect(b.rates.fnr.value).toBeCloseTo(0.25, 12);
  });

  it("judges the selection rate on files alone, the outcome rates only with 5 positives", () => {
    const b = g("b");
    // 0.1 / 0.2 = 0.5: flagged (both groups have ≥ 30 files); precision 0.75 / 0.5 = 1.5 is not judged (4 positives).
    expect(b.disparity.selectionRate).toEqual({ ratio: 0.5, flagged: true });
    expect(b.disparity.precision.ratio).toBeCloseTo(1.5, 12);
    expect(b.disparity.precision.flagged).toBe(false);
    expect(b.flags).toEqual(["selectionRate"]);
    expect(b.note).toMatch(/outcome rates too small to judge: 10 files with an outcome, 4 positives/);
    expect(region).toMatchObject({ reference: "a", flaggedGroups: 1, headlineFlags: 0, tooSmallGroups: 1 });
    // Re-judged against b: a's selection rate 2.0 is flagged the same way.
    const rejudged = withReference(report, { region: "b" }).attributes[0].groups.find((x) => x.value === "a")!;
    expect(rejudged.flags).toEqual(["selectionRate"]);
  });

  it("leaves FPR, FNR and recall undefined when only the picks' outcomes are known", () => {
    const list = selectionFairnessReport({ ...input, labelScope: "selection" });
    const a = list.attributes[0].groups.find((x) => x.value === "a")!;
    expect(a.rates.precision.value).toBeCloseTo(0.5, 12);
    expect(a.rates.fpr.value).toBeNull();
    expect(a.rates.fnr.value).toBeNull();
    expect(a.rates.recall.value).toBeNull();
    expect(a.disparity.fpr).toEqual({ ratio: null, flagged: false });
  });
});
