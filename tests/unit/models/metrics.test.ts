import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calibrationTable, evaluateScores, gainsCurve } from "../../../models/evaluation.js";
import {
  aucRoc,
  brierScore,
  liftAtK,
  logLoss,
  prAuc,
  precisionAtK,
  recallAtK,
} from "../../../models/metrics.js";

const labels = Uint8Array.from([1, 0, 1, 0, 0]);
const scores = Float32Array.from([0.9, 0.8, 0.8, 0.3, 0.1]);

describe("aucRoc", () => {
  it("counts a tie between a positive and a negative as one half", () => {
    // 6 pairs: 0.9 beats all 3 negatives; 0.8 ties one and beats two: (3 + 2.5) / 6.
    expect(aucRoc(labels, scores)).toBeCloseTo(5.5 / 6, 12);
  });
  it("is 0.5 when all scores tie and NaN with one class", () => {
    expect(aucRoc(labels, new Float32Array(5).fill(0.3))).toBe(0.5);
    expect(aucRoc(Uint8Array.from([1, 1]), Float32Array.from([0.1, 0.2]))).toBeNaN();
  });
  it("matches the pairwise definition on random data with ties", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 60 }), (rows) => {
        const y = Uint8Array.from(rows, ([l]) => (l ? 1 : 0));
        const s = Float32Array.from(rows, ([, v]) => v / 5);
        let wins = 0;
        let pairs = 0;
        for (let i = 0; i < y.length; i++)
          for (let j = 0; j < y.length; j++)
            if (y[i] === 1 && y[j] === 0) {
              pairs++;
              wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
            }
        const auc = aucRoc(y, s);
        if (pairs === 0) expect(auc).toBeNaN();
        else expect(auc).toBeCloseTo(wins / pairs, 10);
      }),
    );
  });
});

describe("prAuc", () => {
  it("enters a tie group at once with the precision at its end", () => {
    // Thresholds 0.9 (recall 1/2, precision 1) and 0.8 (recall 2/2, precision 2/3).
    expect(prAuc(labels, scores)).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
  });
  it("equals the base rate when every score ties", () => {
    expect(prAuc(labels, new Float32Array(5).fill(1))).toBeCloseTo(0.4, 12);
  });
  it("is 1 for a perfect ranking and NaN without positives", () => {
    expect(prAuc(Uint8Array.from([0, 1, 1]), Float32Array.from([0, 2, 1]))).toBe(1);
    expect(prAuc(Uint8Array.from([0, 0]), Float32Array.from([0, 1]))).toBeNaN();
  });
});

describe("top-k metrics", () => {
  it("splits a tie at the cut pro rata", () => {
    // Top 2 = the 0.9 positive plus half of the {0.8 positive, 0.8 negative} tie: 1.5 hits.
    expect(precisionAtK(labels, scores, 2)).toBeCloseTo(0.75, 12);
    expect(recallAtK(labels, scores, 2)).toBeCloseTo(0.75, 12);
    expect(liftAtK(labels, scores, 2)).toBeCloseTo(0.75 / 0.4, 12);
    expect(precisionAtK(labels, scores, 3)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(labels, scores, 5)).toBe(1);
  });
});

describe("probability metrics", () => {
  it("computes Brier and log loss by hand", () => {
    expect(brierScore(labels, scores)).toBeCloseTo((0.01 + 0.64 + 0.04 + 0.09 + 0.01) / 5, 6);
    const expected = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.8) + Math.log(0.7) + Math.log(0.9)) / 5;
    expect(logLoss(labels, scores)).toBeCloseTo(expected, 6);
  });
  it("clips log loss so a confident mistake stays finite", () => {
    const loss = logLoss(Uint8Array.from([1]), Float32Array.from([0]));
    expect(loss).toBeCloseTo(-Math.log(1e-7), 6);
  });
});

describe("calibrationTable", () => {
  it("bins by score rank with counts, mean score and observed rate", () => {
    const y = Uint8Array.from([0, 0, 0, 1, 0, 1, 1, 1, 1, 1]);
    const s = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
    const table = calibrationTable(y, s, 5);
    expect(table.map((b) => b.n)).toEqual([2, 2, 2, 2, 2]);
    expect(table[0]).toMatchObject({ bin: 1, observedRate: 0 });
    expect(table[0].meanScore).toBeCloseTo(0.15, 6);
    expect(table[1].observedRate).toBe(0.5);
    expect(table[4].observedRate).toBe(1);
  });
});

describe("gainsCurve", () => {
  it("runs from (0, 0) to (1, 1)", () => {
    const g = gainsCurve(labels, scores, 5);
    expect(g[0]).toMatchObject({ fraction: 0, recall: 0 });
    expect(g[5]).toMatchObject({ fraction: 1, recall: 1 });
    expect(g[1].recall).toBeCloseTo(0.5, 12);
  });
});

describe("evaluateScores", () => {
  it("reports every figure with n and positives", () => {
    const r = evaluateScores(labels, scores, { capacities: [0.2, 0.4], listSizes: [3, 10] });
    expect(r).toMatchObject({ n: 5, positives: 2, baseRate: 0.4 });
    expect(r.aucRoc).toBeCloseTo(5.5 / 6, 12);
    expect(r.prAuc).toBeCloseTo(5 / 6, 12);
    expect(r.atCapacity[0]).toMatchObject({ capacity: 0.2, k: 1, hits: 1, precision: 1, recall: 0.5 });
    expect(r.atCapacity[1].hits).toBeCloseTo(1.5, 12);
    expect(r.atListSize[1]).toMatchObject({ k: 5, hits: 2 });
    expect(r.calibration.reduce((a, b) => a + b.n, 0)).toBe(5);
    expect(r.gains).toHaveLength(101);
  });
  it("evaluates a million rows quickly", () => {
    const n = 1_000_000;
    const y = new Uint8Array(n);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = ((i * 7919) % 1000) / 1000;
      y[i] = (i * 31) % 17 === 0 ? 1 : 0;
    }
    const t0 = performance.now();
    const r = evaluateScores(y, s);
    expect(r.n).toBe(n);
    expect(performance.now() - t0).toBeLessThan(8000);
  });
});
