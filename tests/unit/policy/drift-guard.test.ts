import { describe, expect, it } from "vitest";
import { categoricalReference, driftReport, emptyAccumulator, numericReference } from "../../../models/drift.js";
import type { DriftReference } from "../../../models/drift-schema.js";
import { driftWarnings } from "../../../services/policy/approval.js";

const ref: DriftReference = {
  version: 1,
  rows: 100,
  features: [categoricalReference("sector", Array.from({ length: 100 }, (_, i) => (i % 2 ? "a" : "b")))],
  score: numericReference("score", Float64Array.from({ length: 100 }, (_, i) => i / 100)),
};
const report = (sector: number[], unseen = 0) => {
  const acc = emptyAccumulator(ref);
  acc.features[0].counts = sector;
  acc.features[0].unseen = unseen;
  acc.score.counts = ref.score.counts.slice();
  acc.n = sector.reduce((s, x) => s + x, 0) + unseen;
  return driftReport(ref, acc);
};

describe("drift guard on approval", () => {
  it("warns when the model's latest run alarms, naming the run, its date and what alarmed", () => {
    const drifted = report([10, 10], 80);
    expect(drifted.alarm).toBe(true);
    const [w, ...rest] = driftWarnings({ runId: "r-1", finishedAt: new Date("2026-12-01T10:00:00Z"), drift: drifted });
    expect(rest).toEqual([]);
    expect(w).toBe(`its training population has drifted: scoring run r-1 (2026-12-01) raised a drift alarm on ${drifted.alarms.join("; ")}`);
    expect(w).toMatch(/sector: PSI \d+\.\d{3} > 0\.25/);
  });

  it("does not warn on a stable or watch run, nor when no run measured drift", () => {
    const stable = report([50, 50]);
    expect(stable.band).toBe("stable");
    expect(driftWarnings({ runId: "r", finishedAt: null, drift: stable })).toEqual([]);
    const watch = report([67, 33]);
    expect(watch.band).toBe("watch");
    expect(driftWarnings({ runId: "r", finishedAt: null, drift: watch })).toEqual([]);
    expect(driftWarnings(null)).toEqual([]);
  });
});
