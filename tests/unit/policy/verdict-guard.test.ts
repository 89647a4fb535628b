import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../models/prng.js";
import { computeVerdict } from "../../../models/verdict.js";
import { MIN_VALIDATION_POSITIVES, verdictWarnings } from "../../../services/policy/approval.js";

const metricsWith = (positives: number, gain: number) => {
  const rand = mulberry32(positives);
  const labels = Uint8Array.from({ length: 3000 }, (_, i) => (i < positives ? 1 : 0));
  const logistic = Float32Array.from(labels, (y) => 0.5 * y + rand());
  const model = Float32Array.from(logistic, (s, i) => s + gain * labels[i]);
  return { verdict: computeVerdict(labels, model, { logistic }, { resamples: 100 }) };
};

describe("verdictWarnings (the approval guard)", () => {
  it("says nothing against a model that beats logistic regression beyond its interval on enough positives", () => {
    expect(verdictWarnings(metricsWith(300, 1))).toEqual([]);
  });

  it("warns when the ROC-AUC gain over logistic regression is within its interval", () => {
    const [warning, ...rest] = verdictWarnings(metricsWith(300, 0));
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^does not beat logistic regression on ROC-AUC by more than its 95 % interval: 0\.\d{3} against 0\.\d{3}, difference 0\.000 \[0\.000, 0\.000\]$/);
  });

  it("warns below the minimum of validation positives, even with a large gain", () => {
    expect(verdictWarnings(metricsWith(MIN_VALIDATION_POSITIVES - 1, 3))).toEqual([
      `only ${MIN_VALIDATION_POSITIVES - 1} positives in validation (minimum ${MIN_VALIDATION_POSITIVES}): its figures are mostly noise`,
    ]);
  });

  it("warns when no verdict was stored (older models, or metrics of another shape)", () => {
    expect(verdictWarnings(null)).toEqual([expect.stringMatching(/no verdict was stored/)]);
    expect(verdictWarnings({ verdict: { positives: "many" } })).toEqual([expect.stringMatching(/no verdict was stored/)]);
  });
});
