import type { DriftReport } from "../../models/drift-schema.js";
import { Verdict } from "../../models/verdict.js";

/**
 * The rules a model approval must pass, as pure functions: the route and the query ask them, the
 * tests state them. Four eyes: the approver is another person than the trainer, judged by key and
 * by the person's name, compared as people would read it.
 */

export interface Party {
  /** The key's id (uuid), when the party acted through a key. */
  keyId: string | null;
  /** The key prefix (`cts_1a2b3c4d`), or `cli`/`system`. */
  id: string;
  name: string | null | undefined;
}

/**
 * A name as people compare names: NFKC (full-width and compatibility forms become plain letters),
 * case folded (ß and SS are the same), invisible and format characters removed (zero-width
 * spaces, joiners, bidi marks, soft hyphens), blanks collapsed. "Olga" and "Olga\u200b" are one person.
 */
export function normalizePersonName(name: string): string {
  return name
    .normalize("NFKC")
    .replace(/[\p{Cf}\p{Cc}\u034f\u115f\u1160\u3164\uffa0]/gu, "")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .trim();
}

const samePerson = (a: Party, b: Party): boolean => {
  if (a.id === b.id) return true;
  if (a.keyId !== null && a.keyId === b.keyId) return true;
  if (!a.name || !b.name) return false;
  const left = normalizePersonName(a.name);
  return left.length > 0 && left === normalizePersonName(b.name);
};

/** Why `approver` may not approve what `trainer` trained, or null when four eyes hold. */
export function fourEyesRefusal(trainer: Party, approver: Party): string | null {
  return samePerson(trainer, approver)
    ? "four eyes: a model must be approved by a data officer other than the one who trained it (same key or same name)"
    : null;
}

/**
 * Fewer validation positives than this and the verdict's intervals rest mostly on noise: approving
 * then needs an override. 30 keeps the 95 % interval of precision at 10 % narrower than ±0.15 on
 * the demo population's base rate.
 */
export const MIN_VALIDATION_POSITIVES = 30;

const fmt = (x: number | null) => (x === null ? "-" : x.toFixed(3));

/**
 * What the verdict stored with a model's metrics says against approving it, one sentence each:
 * no verdict at all, too few validation positives, or no ROC-AUC gain over logistic regression
 * beyond its bootstrap interval. An empty list means the approval needs no override.
 */
export function verdictWarnings(metrics: unknown, minPositives = MIN_VALIDATION_POSITIVES): string[] {
  const parsed = Verdict.safeParse((metrics as { verdict?: unknown } | null)?.verdict);
  if (!parsed.success) return ["no verdict was stored with this model (trained before verdicts existed): retrain it to compare it with logistic regression"];
  const v = parsed.data;
  const warnings: string[] = [];
  if (v.positives < minPositives) {
    warnings.push(`only ${v.positives} positives in validation (minimum ${minPositives}): its figures are mostly noise`);
  }
  const logistic = v.comparisons.find((c) => c.baseline === "logistic");
  const auc = logistic?.figures.find((f) => f.figure === "aucRoc");
  if (!auc) {
    warnings.push("the verdict has no comparison with logistic regression");
  } else if (!(auc.difference.low !== null && auc.difference.low > 0)) {
    const d = auc.difference;
    warnings.push(
      `does not beat logistic regression on ROC-AUC by more than its ${Math.round(v.level * 100)} % interval: ${fmt(auc.model.value)} against ${fmt(auc.baseline.value)}, difference ${fmt(d.value)} [${fmt(d.low)}, ${fmt(d.high)}]`,
    );
  }
  return warnings;
}

/**
 * What drift says against approving: the latest run scored with this model found its training
 * population no longer like today's files (a PSI above 0.25 on a feature or the scores). One
 * sentence naming the run and what alarmed; none when no run of the model measured drift.
 */
export function driftWarnings(latest: { runId: string; finishedAt: Date | null; drift: DriftReport } | null): string[] {
  if (!latest?.drift.alarm) return [];
  const when = latest.finishedAt ? ` (${latest.finishedAt.toISOString().slice(0, 10)})` : "";
  return [`its training population has drifted: scoring run ${latest.runId}${when} raised a drift alarm on ${latest.drift.alarms.join("; ")}`];
}
