import { and, desc, eq, isNotNull } from "drizzle-orm";
import { driftReport, mergeAccumulators } from "../../../models/drift.js";
import { DriftAccumulatorSchema, DriftReferenceSchema, type DriftReport, DriftReportSchema } from "../../../models/drift-schema.js";
import type { Db } from "../client.js";
import { scoringRuns } from "../schema/index.js";

/**
 * The run's drift: its chunks' counts merged and judged against the model's training reference.
 * Null when the model has none (trained before drift was measured) or no chunk counted any.
 */
export function runDrift(reference: unknown, chunkDrift: unknown[]): DriftReport | null {
  const ref = DriftReferenceSchema.safeParse(reference);
  if (!ref.success) return null;
  const counted = chunkDrift.map((d) => DriftAccumulatorSchema.safeParse(d)).filter((d) => d.success).map((d) => d.data);
  if (counted.length === 0) return null;
  return driftReport(ref.data, counted.reduce(mergeAccumulators));
}

/** What the run's audit event keeps of its drift: the band, the alarms and each PSI by name. */
export const driftSummary = (d: DriftReport) => ({
  band: d.band,
  alarm: d.alarm,
  alarms: d.alarms,
  rows: d.rows,
  predictionPsi: d.prediction.psi,
  psi: Object.fromEntries(d.features.map((f) => [f.name, f.psi])),
});


/** A run's stored drift, as the approval guard and the model card read it. */
export interface RunDrift {
  runId: string;
  finishedAt: Date | null;
  shadow: boolean;
  drift: DriftReport;
}

/**
 * The drift of the latest completed run scored with this model (a shadow run for a challenger),
 * completed before `before` when given; null when no such run measured drift.
 */
export async function latestModelRunDrift(db: Db, modelId: string, before?: Date): Promise<RunDrift | null> {
  const rows = await db
    .select({ runId: scoringRuns.id, finishedAt: scoringRuns.finishedAt, shadow: scoringRuns.shadow, drift: scoringRuns.drift })
    .from(scoringRuns)
    .where(and(eq(scoringRuns.modelId, modelId), eq(scoringRuns.status, "completed"), isNotNull(scoringRuns.drift)))
    .orderBy(desc(scoringRuns.finishedAt), desc(scoringRuns.id))
    .limit(50);
  const row = rows.find((r) => !before || (r.finishedAt !== null && r.finishedAt <= before));
  const parsed = DriftReportSchema.safeParse(row?.drift);
  return row && parsed.success ? { runId: row.runId, finishedAt: row.finishedAt, shadow: row.shadow, drift: parsed.data } : null;
}
