/**
 * The fictional administration's organisational units: 20 offices whose sizes follow Zipf's law
 * (weight 1/rank), so the largest office holds about 28% of the files and the smallest about 1.4%.
 * Each unit belongs to one of five regions (the `region` attribute, a fairness segment).
 */

export const REGIONS = ["metropolitan", "northern", "southern", "coastal", "inland"] as const;
export type Region = (typeof REGIONS)[number];

/** Units by decreasing size, each with its region. Ids are lowercase, as inspectors' API keys scope them. */
export const UNITS: readonly { id: string; region: Region }[] = [
  { id: "central", region: "metropolitan" },
  { id: "north", region: "northern" },
  { id: "south", region: "southern" },
  { id: "east", region: "inland" },
  { id: "west", region: "coastal" },
  { id: "harbour", region: "coastal" },
  { id: "riverside", region: "metropolitan" },
  { id: "valley", region: "inland" },
  { id: "highlands", region: "northern" },
  { id: "lakeside", region: "northern" },
  { id: "coast", region: "coastal" },
  { id: "plains", region: "inland" },
  { id: "forest", region: "northern" },
  { id: "hills", region: "southern" },
  { id: "midlands", region: "inland" },
  { id: "islands", region: "coastal" },
  { id: "border", region: "southern" },
  { id: "uplands", region: "northern" },
  { id: "lowlands", region: "southern" },
  { id: "capital", region: "metropolitan" },
];

/** Zipf exponent of unit sizes: weight of rank k is 1 / k^ZIPF_EXPONENT. */
export const ZIPF_EXPONENT = 1;

/** Expected share of files per unit, in UNITS order (sums to 1). */
export const UNIT_SHARES: readonly number[] = (() => {
  const w = UNITS.map((_, k) => 1 / (k + 1) ** ZIPF_EXPONENT);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
})();

/** Unit id to region. */
export const REGION_OF: ReadonlyMap<string, Region> = new Map(UNITS.map((u) => [u.id, u.region]));

/**
 * Inspectors per unit: about one per 2.5% of the files, at least 2 (so "central" has 11, "capital" 2).
 * Ids are `<unit>-NN`, e.g. `north-03`.
 */
export const inspectorsOf = (unitIndex: number): string[] => {
  const n = Math.max(2, Math.round(UNIT_SHARES[unitIndex] * 40));
  const unit = UNITS[unitIndex].id;
  return Array.from({ length: n }, (_, i) => `${unit}-${String(i + 1).padStart(2, "0")}`);
};
