import { describe, expect, it } from "vitest";
import { demoPopulation } from "../../../data/demo/generate.js";
import {
  CONTROL_YEARS,
  EXPLORATION_RATE,
  LEGACY_UNTIL,
  RULE,
  RULE_PROBABILITY_RECORDED_FROM,
  ruleProbability,
  targetedSectors,
} from "../../../data/demo/history.js";
import { summariseDemo } from "../../../data/demo/stats.js";
import { irregularityProbability } from "../../../data/demo/truth.js";
import type { Attributes } from "../../../models/feature-schema.js";

const rows = [...demoPopulation({ files: 60_000, seed: 1 })];
const summary = summariseDemo(rows);
const controls = rows.flatMap((r) => r.outcomes.map((o) => ({ ...o, a: r.file.attributes, year: Number(o.controlledAt.slice(0, 4)) })));
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("controlHistory", () => {
  it("draws outcomes from the true probability of the control's year", () => {
    const check = (hits: number, expected: number, count: number) => {
      // Four standard deviations of a sum of Bernoulli draws with mean rate expected / count.
      const p = expected / count;
      expect(Math.abs(hits - expected)).toBeLessThan(4 * Math.sqrt(count * p * (1 - p)));
    };
    check(summary.outcomes.hits, summary.outcomes.expectedHits, summary.outcomes.controls);
    for (const t of Object.values(summary.outcomesByYear)) check(t.hits, t.expectedHits, t.controls);
  });

  it("finds more irregularities than a random pick because the rules target risk", () => {
    const hitRate = summary.outcomes.hits / summary.outcomes.controls;
    expect(hitRate).toBeGreaterThan(summary.meanTruth * 1.2);
    const explored = controls.filter((c) => c.selectedBy === "exploration");
    expect(mean(explored.map((c) => irregularityProbability(c.a, c.year)))).toBeLessThan(hitRate);
  });

  it("biases rule picks toward targeted sectors and large amounts, and not exploration picks", () => {
    const targeted = (c: { a: Attributes; year: number }) => targetedSectors(c.year).has(c.a.sector as never);
    const population = mean(rows.map((r) => (targetedSectors(2025).has(r.file.attributes.sector as never) ? 1 : 0)));
    const manual = controls.filter((c) => c.selectedBy === "manual" && c.year >= 2023);
    const explored = controls.filter((c) => c.selectedBy === "exploration" && c.year >= 2023);
    expect(mean(manual.map((c) => (targeted(c) ? 1 : 0)))).toBeGreaterThan(population * 1.8);
    expect(Math.abs(mean(explored.map((c) => (targeted(c) ? 1 : 0))) - population)).toBeLessThan(0.06);

    const large = (a: Attributes) => ((a.amount_at_stake as number) >= RULE.largeAmount ? 1 : 0);
    const populationLarge = mean(rows.map((r) => large(r.file.attributes)));
    expect(populationLarge).toBeGreaterThan(0.07);
    expect(populationLarge).toBeLessThan(0.13);
    expect(mean(manual.map((c) => large(c.a)))).toBeGreaterThan(populationLarge * 1.8);
    expect(Math.abs(mean(explored.map((c) => large(c.a))) - populationLarge)).toBeLessThan(0.05);
  });

  it("explores each file with probability EXPLORATION_RATE a year, about 14% of the controls", () => {
    for (const year of CONTROL_YEARS.filter((y) => y > LEGACY_UNTIL)) {
      const n = summary.outcomesByYear[year].bySelection.exploration;
      const sd = Math.sqrt(rows.length * EXPLORATION_RATE * (1 - EXPLORATION_RATE));
      expect(Math.abs(n - rows.length * EXPLORATION_RATE)).toBeLessThan(4 * sd);
    }
    expect(summary.explorationShare).toBeGreaterThan(0.11);
    expect(summary.explorationShare).toBeLessThan(0.18);
  });

  it("records selected_by and selection_probability as a real administration would", () => {
    for (const c of controls) {
      if (c.selectionProbability !== null) {
        expect(c.selectionProbability).toBeGreaterThan(0);
        expect(c.selectionProbability).toBeLessThanOrEqual(1);
      }
      if (c.year <= LEGACY_UNTIL) {
        expect(c.selectedBy).toBe("unknown");
        expect(c.selectionProbability).toBeNull();
      } else if (c.selectedBy === "exploration") {
        expect(c.selectionProbability).toBe(EXPLORATION_RATE);
      } else {
        expect(c.selectedBy).toBe("manual");
        expect(c.selectionProbability).toBe(
          c.year >= RULE_PROBABILITY_RECORDED_FROM ? Math.round(ruleProbability(c.a, c.year) * 1e6) / 1e6 : null,
        );
      }
    }
    expect(summary.outcomes.bySelection.model).toBe(0);
  });

  it("records a recovered amount only for irregular outcomes, at most the amount at stake", () => {
    for (const c of controls) {
      if (c.outcome === 0) expect(c.amount).toBeNull();
      else {
        expect(c.amount).toBeGreaterThanOrEqual(1);
        expect(c.amount).toBeLessThanOrEqual(c.a.amount_at_stake as number);
      }
    }
  });

  it("dates controls on weekdays of 2021-2025, in order, at most once a year per file", () => {
    for (const row of rows.filter((r) => r.outcomes.length > 0)) {
      const dates = row.outcomes.map((o) => o.controlledAt);
      expect([...dates].sort()).toEqual(dates);
      expect(new Set(dates.map((d) => d.slice(0, 4))).size).toBe(dates.length);
      for (const d of dates) {
        const day = new Date(`${d}T00:00:00Z`);
        expect(day.toISOString().slice(0, 10)).toBe(d);
        expect([0, 6]).not.toContain(day.getUTCDay());
        expect(CONTROL_YEARS as readonly number[]).toContain(day.getUTCFullYear());
      }
    }
  });

  it("drifts mildly: hospitality was riskier and IT services safer in 2021 than in 2025", () => {
    const of = (sector: string) => rows.filter((r) => r.file.attributes.sector === sector).slice(0, 500);
    const diff = (sector: string) => mean(of(sector).map((r) => irregularityProbability(r.file.attributes, 2021) - r.truth));
    expect(diff("hospitality")).toBeGreaterThan(0);
    expect(diff("it_services")).toBeLessThan(0);
    const overall = mean(rows.slice(0, 5000).map((r) => irregularityProbability(r.file.attributes, 2021)));
    expect(Math.abs(overall - summary.meanTruth)).toBeLessThan(0.015);
  });
});
