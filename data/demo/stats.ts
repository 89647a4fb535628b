import type { DemoRow } from "./generate.js";
import { LEGACY_UNTIL, type SelectedBy } from "./history.js";
import { irregularityProbability } from "./truth.js";

/** Counts of one group of controls. */
export interface ControlTally {
  controls: number;
  /** Controls that found an irregularity (outcome 1). */
  hits: number;
  /** Sum over the controls of the true probability in the control's year: hits should be close to it. */
  expectedHits: number;
  bySelection: Record<SelectedBy, number>;
}

/** Rates of a demo population, accumulated in one pass (bounded memory), for tests, benchmarks and the CLI. */
export interface DemoSummary {
  files: number;
  /** Mean of the hidden probability (TRUTH_YEAR) over all files. */
  meanTruth: number;
  filesPerUnit: Record<string, number>;
  /** Share of files whose attribute is missing (null), per attribute. */
  missingRates: Record<string, number>;
  outcomes: ControlTally;
  outcomesByYear: Record<string, ControlTally>;
  /** Share of exploration picks among the controls after the legacy years (those record selected_by). */
  explorationShare: number;
  /** Files controlled at least once. */
  controlledFiles: number;
}

const tally = (): ControlTally => ({
  controls: 0,
  hits: 0,
  expectedHits: 0,
  bySelection: { model: 0, exploration: 0, manual: 0, unknown: 0 },
});

/** Summarises demo rows in one streaming pass. */
export const summariseDemo = (rows: Iterable<DemoRow>): DemoSummary => {
  let files = 0;
  let truthSum = 0;
  let controlledFiles = 0;
  const filesPerUnit: Record<string, number> = {};
  const missing: Record<string, number> = {};
  const outcomes = tally();
  const byYear: Record<string, ControlTally> = {};
  for (const row of rows) {
    files += 1;
    truthSum += row.truth;
    filesPerUnit[row.file.unit] = (filesPerUnit[row.file.unit] ?? 0) + 1;
    for (const [name, value] of Object.entries(row.file.attributes)) {
      missing[name] = (missing[name] ?? 0) + (value === null ? 1 : 0);
    }
    if (row.outcomes.length > 0) controlledFiles += 1;
    for (const o of row.outcomes) {
      const year = o.controlledAt.slice(0, 4);
      const p = irregularityProbability(row.file.attributes, Number(year));
      for (const t of [outcomes, (byYear[year] ??= tally())]) {
        t.controls += 1;
        t.hits += o.outcome;
        t.expectedHits += p;
        t.bySelection[o.selectedBy] += 1;
      }
    }
  }
  const recent = Object.entries(byYear).filter(([y]) => Number(y) > LEGACY_UNTIL);
  const recentControls = recent.reduce((s, [, t]) => s + t.controls, 0);
  const recentExploration = recent.reduce((s, [, t]) => s + t.bySelection.exploration, 0);
  return {
    files,
    meanTruth: files === 0 ? 0 : truthSum / files,
    filesPerUnit,
    missingRates: Object.fromEntries(Object.entries(missing).map(([k, v]) => [k, v / files])),
    outcomes,
    outcomesByYear: byYear,
    explorationShare: recentControls === 0 ? 0 : recentExploration / recentControls,
    controlledFiles,
  };
};
