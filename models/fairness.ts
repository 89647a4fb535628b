import { aucRoc, rankDescending } from "./metrics.js";

/** One segment's figures when the top `capacity` share of all rows is selected. */
export interface SegmentFigures {
  segment: string;
  n: number;
  positives: number;
  /** Rows of this segment in the selected top k (ties at the cut pro rata). */
  selected: number;
  /** selected / n: compare across segments for disparate selection. */
  selectionRate: number;
  /** Positives among the selected / selected: compare for unequal precision. */
  precision: number;
  /** Positives among the selected / positives: compare for unequal opportunity. */
  recall: number;
  /** Ranking quality within the segment (NaN if a class is absent). */
  aucRoc: number;
}

/**
 * Per-segment report for one capacity (segments are attributes with role "segment"): one list
 * of the top k = round(capacity × n) rows overall, then, for each segment, how many it got and
 * how good those picks were. Each line carries its n and positives; small segments are noisy.
 */
export const segmentReport = (
  labels: Uint8Array,
  scores: Float32Array,
  segments: ArrayLike<string | null>,
  capacity: number,
): SegmentFigures[] => {
  const n = labels.length;
  const order = rankDescending(scores);
  const k = Math.max(1, Math.min(n, Math.round(capacity * n)));
  // Share of each row in the selection: 1 above the cut, pro rata inside the tie group at it.
  const share = new Float64Array(n);
  const cutScore = scores[order[k - 1]];
  let above = 0;
  let tied = 0;
  for (let i = 0; i < n; i++) {
    if (scores[i] > cutScore) above++;
    else if (scores[i] === cutScore) tied++;
  }
  const tieShare = tied ? (k - above) / tied : 0;
  for (let i = 0; i < n; i++) share[i] = scores[i] > cutScore ? 1 : scores[i] === cutScore ? tieShare : 0;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = segments[i] ?? "(missing)";
    let rows = groups.get(key);
    if (!rows) groups.set(key, (rows = []));
    rows.push(i);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([segment, rows]) => {
      const y = Uint8Array.from(rows, (i) => labels[i]);
      const s = Float32Array.from(rows, (i) => scores[i]);
      let positives = 0;
      let selected = 0;
      let hits = 0;
      for (const i of rows) {
        positives += labels[i];
        selected += share[i];
        hits += share[i] * labels[i];
      }
      return {
        segment,
        n: rows.length,
        positives,
        selected,
        selectionRate: selected / rows.length,
        precision: selected ? hits / selected : Number.NaN,
        recall: positives ? hits / positives : Number.NaN,
        aucRoc: aucRoc(y, s),
      };
    });
};
