import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../../ingest/values.js";
import { BaselinesSchema, ModelMetricsSchema } from "../../../../models/evaluation-schema.js";
import { TrainParams } from "../../../../models/train-params.js";
import { MODEL_STATUSES } from "../../../db/schema/index.js";
import type { ModelRow } from "../../../db/queries/models.js";
import { MAX_CAPACITY } from "../../../lists/create-list.js";

// isIsoDate is the imports' rule: Date.parse alone accepts 2026-02-30 (it rolls over to March).
const ISO_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as yyyy-mm-dd").refine(isIsoDate, "not a calendar date");

export const CreateModelBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    cutoff: ISO_DATE.optional().openapi({ description: "Only controls before this date are used (default: today)" }),
    split: z.enum(["temporal", "random"]).optional().openapi({
      description: "temporal: train on controls before validationFrom, validate on later ones; random: seeded stratified. Default: temporal when the dates allow, else random",
    }),
    validationFrom: ISO_DATE.optional().openapi({ description: "Temporal split boundary (default: the date from which the latest validationFraction of controls lie)" }),
    validationFraction: z.number().min(0.05).max(0.5).default(0.2),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    // TrainParams is plain zod (models/ must not import the OpenAPI layer), so no .openapi() here.
    params: TrainParams.partial().strict().optional(),
    ipw: z.boolean().default(false).openapi({ description: "Weight rows by 1 / recorded selection probability" }),
  })
  .superRefine((b, ctx) => {
    if (b.split === "random" && b.validationFrom) {
      ctx.addIssue({ code: "custom", path: ["validationFrom"], message: "validationFrom applies to the temporal split only" });
    }
    if (b.cutoff && b.validationFrom && b.validationFrom >= b.cutoff) {
      ctx.addIssue({ code: "custom", path: ["validationFrom"], message: "validationFrom must be before the cutoff" });
    }
  })
  .openapi("CreateModel");
export type CreateModelBody = z.infer<typeof CreateModelBody>;

export const ApproveModelBody = z
  .object({
    justification: z.string().trim().min(10).max(2000).openapi({ description: "Why this model should be used" }),
    override: z.boolean().default(false).openapi({
      description:
        "Approve although the guard warns (no ROC-AUC gain over logistic regression beyond its interval, too few validation positives, or a drift alarm in the latest scoring run of this model); the warnings are kept with the approval. Without it such an approval is a 409 listing the warnings",
    }),
  })
  .openapi("ApproveModel");

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }) });

export const CompareQuery = z.object({
  ids: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().uuid()).min(2).max(5))
    .openapi({ param: { name: "ids", in: "query" }, example: "uuid-a,uuid-b" }),
  capacity: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_CAPACITY)
    .optional()
    .openapi({
      param: { name: "capacity", in: "query" },
      description: "Files per unit, as a list's capacity: when given, the overlap of the first two models' lists at it",
      example: 50,
    }),
});

const Json = z.record(z.string(), z.unknown());

// Re-wrapped here rather than `.openapi()` on the models/ schemas: those may be built before
// @hono/zod-openapi extends zod (module order), and then lack the method.
const ModelMetrics = z.object(ModelMetricsSchema.shape).openapi("ModelMetrics");
const ModelBaselines = z.object(BaselinesSchema.shape).openapi("ModelBaselines");

export const ModelSummarySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().nullable(),
    status: z.enum(MODEL_STATUSES),
    seed: z.number().int(),
    backend: z.string().nullable(),
    schemaVersion: z.number().int().nullable(),
    cutoff: z.string().nullable(),
    counts: z.record(z.string(), z.number()).nullable(),
    progress: Json.nullable(),
    artifactSha256: z.string().nullable(),
    error: z.string().nullable(),
    trainedBy: z.string(),
    approvedBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("ModelSummary");

export const ModelSchema = ModelSummarySchema.extend({
  params: Json,
  dataDigest: z.string().nullable(),
  codeVersion: z.string().nullable(),
  metrics: ModelMetrics.nullable(),
  baselines: ModelBaselines.nullable(),
  approvalJustification: z.string().nullable(),
  approvalWarnings: z.array(z.string()).nullable().openapi({ description: "Verdict-guard warnings the approver overrode" }),
  startedAt: z.string().nullable(),
  approvedAt: z.string().nullable(),
  suspendedAt: z.string().nullable().openapi({ description: "When the model was last suspended (human oversight)" }),
  suspendedBy: z.string().nullable(),
  suspensionJustification: z.string().nullable(),
  activatedAt: z.string().nullable(),
  retiredAt: z.string().nullable(),
}).openapi("Model");

export const CreatedModelSchema = z.object({ id: z.string().uuid(), status: z.enum(MODEL_STATUSES), jobId: z.string() }).openapi("CreatedModel");

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
    capacity: z.number().int(),
    modelA: z.string().uuid(),
    modelB: z.string().uuid(),
    runA: z.string().uuid().openapi({ description: "The first model's latest completed scoring run, whose scores rank its list" }),
    runB: z.string().uuid(),
    total: z.object(overlapFigures).openapi({ description: "Over every unit both runs scored" }),
    units: z.array(z.object({ unit: z.string(), ...overlapFigures })),
    unitsLeftOut: z.array(z.object({ unit: z.string(), scoredBy: z.enum(["a", "b"]) })).openapi({ description: "Units only one run scored" }),
  })
  .openapi("ListOverlap");

export const CompareSchema = z
  .object({
    models: z.array(ModelSummarySchema),
    sameData: z.boolean().openapi({ description: "All models were trained on data with the same digest" }),
    figures: z.array(z.object({ figure: z.string(), values: z.array(z.number().nullable()) })),
    overlap: ListOverlapSchema.nullable().openapi({
      description:
        "The first two models' lists at `capacity` files per unit (null without a capacity): in each unit the top files by each model's latest completed run, " +
        "before exclusions and exploration. Hit rates use each file's latest known outcome: files controlled in the past, which past lists chose, so read them as a hint, not an estimate (see pastControls)",
    }),
    pastControls: z.array(z.string()).openapi({
      description: "What each model's list would have found on past controls (its latest stored yield estimate, doubly robust), one sentence per model; empty when none was made",
    }),
  })
  .openapi("ModelComparison");

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The public summary of a model row (no metrics, no artifact). */
export const toModelSummary = (row: ModelRow): z.infer<typeof ModelSummarySchema> => ({
  id: row.id,
  name: row.name,
  status: row.status,
  seed: row.seed,
  backend: row.backend,
  schemaVersion: row.schemaVersion,
  cutoff: row.cutoff,
  counts: row.counts,
  progress: row.progress,
  artifactSha256: row.artifactSha256,
  error: row.error,
  trainedBy: row.trainedBy,
  approvedBy: row.approvedBy,
  createdAt: row.createdAt.toISOString(),
  finishedAt: iso(row.finishedAt),
});

/** The full public view of a model row (never the artifact bytes). */
export const toModel = (row: ModelRow): z.infer<typeof ModelSchema> => ({
  ...toModelSummary(row),
  params: row.params,
  dataDigest: row.dataDigest,
  codeVersion: row.codeVersion,
  metrics: row.metrics as z.infer<typeof ModelMetricsSchema> | null,
  baselines: row.baselines as z.infer<typeof BaselinesSchema> | null,
  approvalJustification: row.approvalJustification,
  approvalWarnings: row.approvalWarnings,
  startedAt: iso(row.startedAt),
  approvedAt: iso(row.approvedAt),
  suspendedAt: iso(row.suspendedAt),
  suspendedBy: row.suspendedBy,
  suspensionJustification: row.suspensionJustification,
  activatedAt: iso(row.activatedAt),
  retiredAt: iso(row.retiredAt),
});

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

type YieldRow = { capacity: number; estimate: { hitRate: { dr: { value: number | null; low: number | null; high: number | null } }; pastHitRate: number | null; support: { thin: boolean } } } | null;

const pct = (x: number | null) => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);

/**
 * Each model's latest yield estimate, as figures (DR hit rate with its interval, and the capacity)
 * and one sentence per model: "on past controls, model X would have found 31% (27% to 35%) at 10%".
 */
export const yieldComparison = (ids: string[], estimates: YieldRow[]) => ({
  figures: [
    { figure: "pastControls.capacity", values: estimates.map((e) => e?.capacity ?? null) },
    { figure: "pastControls.hitRate.dr", values: estimates.map((e) => e?.estimate.hitRate.dr.value ?? null) },
    { figure: "pastControls.hitRate.dr.low", values: estimates.map((e) => e?.estimate.hitRate.dr.low ?? null) },
    { figure: "pastControls.hitRate.dr.high", values: estimates.map((e) => e?.estimate.hitRate.dr.high ?? null) },
    { figure: "pastControls.pastHitRate", values: estimates.map((e) => e?.estimate.pastHitRate ?? null) },
  ],
  sentences: estimates.flatMap((e, i) => {
    if (!e) return [];
    const dr = e.estimate.hitRate.dr;
    return [
      `on past controls, model ${ids[i]} would have found ${pct(dr.value)} (${pct(dr.low)} to ${pct(dr.high)}) with a list of ${pct(e.capacity)} of files, against ${pct(e.estimate.pastHitRate)} for past lists${e.estimate.support.thin ? " (thin support: not to be trusted)" : ""}`,
    ];
  }),
});
