import { z } from "@hono/zod-openapi";
import type { compareYields } from "../../../db/queries/yield-estimates.js";
import type { ModelRow } from "../../../db/queries/models.js";
import { MAX_CAPACITY } from "../../../lists/create-list.js";
import { OffPolicyEstimateApi } from "./evidence.schemas.js";
import { ModelSummarySchema } from "./models.schemas.js";

// The comparison of models (GET /models/compare): its query, its reply (figures side by side, the
// overlap of two lists, past-controls yields) and the functions that build the figures and sentences.

export const CompareQuery = z.object({
  ids: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().uuid()).min(2).max(5))
    .openapi({ param: { name: "ids", in: "query" }, example: "uuid-a,uuid-b" }),
  capacity: z.coerce.number().gt(0).lte(1).optional().openapi({
    param: { name: "capacity", in: "query" },
    description: "Capacity of the past-controls comparison, as a share of files (default: that of the newest stored yield estimate of the models, else 0.1)",
    example: 0.1,
  }),
  listSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_CAPACITY)
    .optional()
    .openapi({
      param: { name: "listSize", in: "query" },
      description: "Files per unit, as a list's capacity: when given, the overlap of the first two models' lists at it",
      example: 50,
    }),
});

const PickSetSchema = z
  .object({
    files: z.number().int(),
    known: z.number().int().openapi({ description: "Files of the set with a known outcome" }),
    hits: z.number().int().openapi({ description: "Known outcomes that were irregular" }),
    hitRate: z.number().nullable().openapi({ description: "hits / known; null when no outcome is known" }),
  })
  .openapi("PickSet");

const overlapFigures = {
  a: PickSetSchema.openapi({ description: "The first model's list" }),
  b: PickSetSchema.openapi({ description: "The second model's list" }),
  both: PickSetSchema,
  onlyA: PickSetSchema,
  onlyB: PickSetSchema,
  union: z.number().int(),
  jaccard: z.number().nullable().openapi({ description: "both / union (1: the same list; 0: disjoint)" }),
};

const ListOverlapSchema = z
  .object({
    capacity: z.number().int().openapi({ description: "Files per unit (the query's listSize)" }),
    modelA: z.string().uuid(),
    modelB: z.string().uuid(),
    runA: z.string().uuid().openapi({ description: "The first model's latest completed scoring run, whose scores rank its list" }),
    runB: z.string().uuid(),
    total: z.object(overlapFigures).openapi({ description: "Over every unit both runs scored" }),
    units: z.array(z.object({ unit: z.string(), ...overlapFigures })),
    unitsLeftOut: z.array(z.object({ unit: z.string(), scoredBy: z.enum(["a", "b"]) })).openapi({ description: "Units only one run scored" }),
  })
  .openapi("ListOverlap");

const ComparedYieldSchema = z
  .object({
    modelId: z.string().uuid(),
    estimateId: z.string().uuid(),
    createdAt: z.string(),
    capacity: z.number(),
    madeNow: z.boolean(),
    estimate: OffPolicyEstimateApi,
  })
  .openapi("ComparedYield");

export const CompareSchema = z
  .object({
    models: z.array(ModelSummarySchema),
    sameData: z.boolean().openapi({ description: "All models were trained on data with the same digest" }),
    figures: z.array(z.object({ figure: z.string(), values: z.array(z.number().nullable()) })),
    overlap: ListOverlapSchema.nullable().openapi({
      description:
        "The first two models' lists at `listSize` files per unit (null without one): in each unit the top files by each model's latest completed run, " +
        "before exclusions and exploration. Hit rates use each file's latest known outcome: files controlled in the past, which past lists chose, so read them as a hint, not an estimate (see pastControls)",
    }),
    pastControls: z.array(z.string()).openapi({
      description:
        "What each model's list would have found on past controls (doubly robust, with its 95 % interval), against the active model's, with the support and a thin-support warning; one sentence per model that can be estimated",
    }),
    yieldEstimates: z
      .object({
        capacity: z.number(),
        activeModelId: z.string().uuid().nullable(),
        models: z.array(ComparedYieldSchema.nullable()).openapi({ description: "In the order of ids; null when the model has no completed scoring run" }),
        active: ComparedYieldSchema.nullable(),
      })
      .openapi({
        description: "Each model's latest stored yield estimate at the capacity, or one made (stored and audited) for the comparison when none was stored",
      }),
  })
  .openapi("ModelComparison");

type Report = { aucRoc?: number; prAuc?: number; brier?: number; logLoss?: number; atCapacity?: { capacity: number; precision: number; recall: number; lift: number }[] };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** The figures of one evaluation report worth putting side by side, by name. */
const reportFigures = (prefix: string, r: Report | null | undefined): [string, number | null][] => [
  [`${prefix}.aucRoc`, num(r?.aucRoc)],
  [`${prefix}.prAuc`, num(r?.prAuc)],
  [`${prefix}.brier`, num(r?.brier)],
  [`${prefix}.logLoss`, num(r?.logLoss)],
  ...[0.01, 0.05, 0.1, 0.2].flatMap((c): [string, number | null][] => {
    const at = r?.atCapacity?.find((x) => Math.abs(x.capacity - c) < 1e-9);
    const pct = `${Math.round(c * 100)}%`;
    return [
      [`${prefix}.precision@${pct}`, num(at?.precision)],
      [`${prefix}.recall@${pct}`, num(at?.recall)],
      [`${prefix}.lift@${pct}`, num(at?.lift)],
    ];
  }),
];

/** One row per figure with a value per model, in the order the models were asked for. */
export const comparisonFigures = (rows: ModelRow[]): { figure: string; values: (number | null)[] }[] => {
  const perModel = rows.map((row) => {
    const m = (row.metrics ?? {}) as { validation?: Report; unbiased?: { report?: Report | null } };
    const b = (row.baselines ?? {}) as { logistic?: { report?: Report }; random?: Report };
    return [
      ...reportFigures("validation", m.validation),
      ...reportFigures("unbiased", m.unbiased?.report),
      ["baseline.logistic.aucRoc", num(b.logistic?.report?.aucRoc)],
      ["baseline.logistic.prAuc", num(b.logistic?.report?.prAuc)],
      ["baseline.random.prAuc", num(b.random?.prAuc)],
      ["counts.train", num(row.counts?.train)],
      ["counts.validation", num(row.counts?.validation)],
    ] as [string, number | null][];
  });
  return perModel[0].map(([figure], i) => ({ figure, values: perModel.map((figures) => figures[i][1]) }));
};

type Compared = Awaited<ReturnType<typeof compareYields>>;
type Row = NonNullable<Compared["rows"][number]>;

const pct = (x: number | null) => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);
const found = (r: Row) => {
  const dr = r.estimate.hitRate.dr;
  return `${pct(dr.value)} (${pct(dr.low)} to ${pct(dr.high)})`;
};
const support = (r: Row) => {
  const s = r.estimate.support;
  return `${s.controls} past controls in its list (effective ${s.effectiveSize.toFixed(1)}), ${s.positives} positives${s.thin ? "; thin support: not to be trusted" : ""}`;
};

/**
 * The comparison's past-controls figures (each model's DR hit rate with its interval, support and
 * capacity) and one sentence per model: "on past controls, model 12 would have found 31% (27% to
 * 35%) with a list of 10% of files, against 24% (21% to 27%) for the active model 7 …".
 */
export const yieldComparison = (ids: string[], c: Compared) => ({
  figures: [
    { figure: "pastControls.capacity", values: c.rows.map((e) => e?.capacity ?? null) },
    { figure: "pastControls.hitRate.dr", values: c.rows.map((e) => e?.estimate.hitRate.dr.value ?? null) },
    { figure: "pastControls.hitRate.dr.low", values: c.rows.map((e) => e?.estimate.hitRate.dr.low ?? null) },
    { figure: "pastControls.hitRate.dr.high", values: c.rows.map((e) => e?.estimate.hitRate.dr.high ?? null) },
    { figure: "pastControls.support.controls", values: c.rows.map((e) => e?.estimate.support.controls ?? null) },
    { figure: "pastControls.support.effectiveSize", values: c.rows.map((e) => e?.estimate.support.effectiveSize ?? null) },
    { figure: "pastControls.pastHitRate", values: c.rows.map((e) => e?.estimate.pastHitRate ?? null) },
  ],
  sentences: c.rows.flatMap((r, i) => {
    if (!r) return [];
    const against =
      ids[i] === c.activeModelId
        ? " (the active model)"
        : c.active
          ? `, against ${found(c.active)} for the active model ${c.activeModelId} (${support(c.active)})`
          : `, against ${pct(r.estimate.pastHitRate)} for past lists${c.activeModelId ? ` (the active model ${c.activeModelId} has no estimate: no completed scoring run)` : " (no active model)"}`;
    return [`on past controls, model ${ids[i]} would have found ${found(r)} with a list of ${pct(r.capacity)} of files${against}; ${support(r)}`];
  }),
});
