import { FairnessEvaluationSchema } from "../../models/fairness-schema.js";
import {
  EvaluationReportSchema,
  type ModelMetricsJson,
  TrainingDataSummarySchema,
  TrainingDiagnosticsSchema,
  UnbiasedEstimateSchema,
} from "../../models/evaluation-schema.js";
import { Verdict } from "../../models/verdict.js";
import type { FeatureSchemaDefinition } from "../../models/feature-schema.js";
import type { DriftReport } from "../../models/drift-schema.js";
import type { OffPolicyEstimate } from "../../models/off-policy.js";
import type { ModelCard } from "./model-card-schema.js";

/** The stored facts a card is made of (see model-card-schema.ts). */
export interface CardFacts {
  model: {
    id: string;
    name: string | null;
    status: string;
    seed: number;
    backend: string | null;
    schemaVersion: number | null;
    dataDigest: string | null;
    cutoff: string | null;
    counts: Record<string, number> | null;
    metrics: Record<string, unknown> | null;
    params: Record<string, unknown>;
    artifactSha256: string | null;
    codeVersion: string | null;
    trainedBy: string;
    approvedBy: string | null;
    approvalJustification: string | null;
    approvalWarnings: string[] | null;
    createdAt: Date;
    finishedAt: Date | null;
    approvedAt: Date | null;
    suspendedAt: Date | null;
    suspendedBy: string | null;
    suspensionJustification: string | null;
    retiredAt: Date | null;
  };
  schema: FeatureSchemaDefinition | null;
  drift: { runId: string; finishedAt: Date | null; drift: DriftReport } | null;
  yieldEstimate: { id: string; createdAt: Date; runId: string; capacity: number; estimate: OffPolicyEstimate } | null;
}

/** The capacity of the card's fairness section: the verdict's headline operating point. */
export const CARD_CAPACITY = 0.1;

const PURPOSE =
  "Ranks open files by the estimated probability that a control finds an irregularity, so that inspectors' limited capacity goes first to the files most likely to need it.";
const USERS = "Data officers train, evaluate and approve models; inspectors work control lists built from the active model's scores, with an exploration share drawn at random.";
const NOT_FOR = [
  "a finding or evidence of irregularity about any person or business: a score only orders files for a human control",
  "automatic sanctions, refusals or any decision without a control by an inspector",
  "populations, periods or kinds of files unlike the training data (see drift)",
];

const iso = (d: Date | null) => d?.toISOString() ?? null;
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** Limits worth stating for this model, from its stored figures. */
const limitsOf = (m: Partial<ModelMetricsJson> | null, facts: CardFacts): string[] => {
  const out = [
    "Trained only on files that were controlled: files earlier models chose are over-represented; only exploration picks (random) are an unbiased sample (see the selection mix).",
  ];
  const v = m?.verdict;
  if (v) out.push(`Its figures rest on ${v.positives} validation positives among ${v.n} files; read them with their ${Math.round(v.level * 100)} % intervals.`);
  if (m?.unbiased && m.unbiased.report === null) out.push(`No unbiased estimate: ${m.unbiased.note ?? "too few exploration rows in validation"}.`);
  const fairness = FairnessEvaluationSchema.safeParse(m?.fairness);
  const small = fairness.success
    ? (fairness.data.reports.find((r) => Math.abs(r.capacity - CARD_CAPACITY) < 1e-9)?.attributes ?? [])
        .filter((a) => a.kind === "segment")
        .flatMap((a) => a.groups.filter((g) => !g.judgeable).map((g) => `${a.attribute}=${g.value}`))
    : [];
  if (small.length) out.push(`Too few files to judge fairness for: ${small.join(", ")}.`);
  if (facts.drift?.drift.alarm) out.push(`Drift alarm in run ${facts.drift.runId}: ${facts.drift.drift.alarms.join("; ")}.`);
  return out;
};

/**
 * Each stored section parsed on its own: a model trained before a section existed (no fairness,
 * no data summary, or only a verdict) still shows every section it has.
 */
const sectionsOf = (metrics: Record<string, unknown> | null): Partial<ModelMetricsJson> | null => {
  if (!metrics) return null;
  const pick = <T>(schema: { safeParse: (v: unknown) => { success: boolean; data?: T } }, v: unknown): T | undefined => {
    const r = schema.safeParse(v);
    return r.success ? r.data : undefined;
  };
  return {
    validation: pick(EvaluationReportSchema, metrics.validation),
    unbiased: pick(UnbiasedEstimateSchema, metrics.unbiased),
    training: pick(TrainingDiagnosticsSchema, metrics.training),
    verdict: pick(Verdict, metrics.verdict),
    fairness: metrics.fairness as ModelMetricsJson["fairness"],
    data: pick(TrainingDataSummarySchema, metrics.data),
  };
};

/** The card of one model from its stored facts; pure, so the same facts give the same card. */
export function buildModelCard(facts: CardFacts, driftAtApproval: boolean): ModelCard {
  const { model } = facts;
  const m = sectionsOf(model.metrics);
  const fairness = FairnessEvaluationSchema.safeParse(m?.fairness);
  const report = fairness.success ? fairness.data.reports.find((r) => Math.abs(r.capacity - CARD_CAPACITY) < 1e-9) : undefined;
  const params = model.params as { train?: Record<string, unknown>; split?: Record<string, unknown>; ipw?: boolean };
  const training = m?.training;
  const drift = facts.drift;
  const y = facts.yieldEstimate;
  const dates = [model.createdAt, model.finishedAt, model.approvedAt, model.suspendedAt, model.retiredAt, drift?.finishedAt ?? null, y?.createdAt ?? null]
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  return {
    cardVersion: 1,
    modelId: model.id,
    name: model.name,
    status: model.status,
    dated: new Date(Math.max(...dates)).toISOString(),
    intendedUse: { purpose: PURPOSE, users: USERS, notFor: NOT_FOR, limits: limitsOf(m, facts) },
    trainingData: {
      cutoff: model.cutoff,
      schemaVersion: model.schemaVersion,
      dataDigest: model.dataDigest,
      split: params.split ?? null,
      trainRows: num(model.counts?.train),
      validationRows: num(model.counts?.validation),
      summary: m?.data ?? null,
    },
    features: (facts.schema?.attributes ?? []).map((a) => ({ name: a.name, type: a.type, role: a.role, description: a.description ?? null })),
    training: {
      seed: model.seed,
      backend: model.backend,
      codeVersion: model.codeVersion,
      ipw: params.ipw ?? false,
      params: params.train ?? null,
      stopReason: training?.stopReason ?? null,
      bestEpoch: training?.bestEpoch ?? null,
      epochs: training ? training.history.length : null,
      durationMs: training?.durationMs ?? null,
    },
    evaluation: {
      validation: m?.validation
        ? { n: m.validation.n, positives: m.validation.positives, aucRoc: m.validation.aucRoc, prAuc: m.validation.prAuc, brier: m.validation.brier, logLoss: m.validation.logLoss }
        : null,
      unbiased: m?.unbiased
        ? { rows: m.unbiased.rows, positives: m.unbiased.positives, aucRoc: m.unbiased.report?.aucRoc ?? null, prAuc: m.unbiased.report?.prAuc ?? null, note: m.unbiased.note ?? null }
        : null,
      level: m?.verdict?.level ?? null,
      resamples: m?.verdict?.resamples ?? null,
      comparisons: (m?.verdict?.comparisons ?? []).map((c) => ({ baseline: c.baseline, beats: c.beats, figures: c.figures })),
      summary: m?.verdict?.summary ?? [],
    },
    calibration: {
      platt: training ? { a: training.calibration.a, b: training.calibration.b, n: training.calibration.n } : null,
      bins: m?.validation?.calibration ?? [],
    },
    fairness: report
      ? {
          capacity: report.capacity,
          k: report.k,
          attributes: report.attributes
            .filter((a) => a.kind === "segment")
            .map((a) => ({
              attribute: a.attribute,
              reference: a.reference,
              flaggedGroups: a.flaggedGroups,
              headlineFlags: a.headlineFlags,
              tooSmallGroups: a.tooSmallGroups,
              groups: a.groups.map((g) => ({
                value: g.value,
                n: g.n,
                positives: g.positives,
                judgeable: g.judgeable,
                selectionRate: g.rates.selectionRate.value,
                precision: g.rates.precision.value,
                fpr: g.rates.fpr.value,
                fnr: g.rates.fnr.value,
                fprRatio: g.disparity.fpr.ratio,
                fdrRatio: g.disparity.fdr.ratio,
                flags: g.flags,
              })),
            })),
        }
      : null,
    drift: drift
      ? {
          atApproval: driftAtApproval,
          runId: drift.runId,
          finishedAt: iso(drift.finishedAt),
          rows: drift.drift.rows,
          band: drift.drift.band,
          alarms: drift.drift.alarms,
          predictionPsi: drift.drift.prediction.psi,
          features: drift.drift.features.map((f) => ({ name: f.name, psi: f.psi, band: f.band })),
        }
      : null,
    yieldEstimate: y
      ? {
          id: y.id,
          createdAt: y.createdAt.toISOString(),
          runId: y.runId,
          capacity: y.capacity,
          controls: y.estimate.controls,
          support: y.estimate.support,
          pastHitRate: y.estimate.pastHitRate,
          hitRate: y.estimate.hitRate,
          warnings: y.estimate.warnings,
        }
      : null,
    approval: model.approvedAt
      ? { approvedBy: model.approvedBy, approvedAt: iso(model.approvedAt), justification: model.approvalJustification, warningsOverridden: model.approvalWarnings ?? [] }
      : null,
    oversight: {
      trainedBy: model.trainedBy,
      suspendedAt: iso(model.suspendedAt),
      suspendedBy: model.suspendedBy,
      suspensionJustification: model.suspensionJustification,
      retiredAt: iso(model.retiredAt),
    },
    artifact: { sha256: model.artifactSha256, dataDigest: model.dataDigest, codeVersion: model.codeVersion },
  };
}
