import type { ModelCard } from "./model-card-schema.js";

/**
 * The card as Markdown, for people and for the file an oversight body keeps. Pure: the same card
 * gives the same bytes. Figures to 3 decimals; "-" where a figure is undefined.
 */

const n3 = (x: number | null | undefined) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(3) : "-");
const pct = (c: number) => `${Math.round(c * 1000) / 10} %`;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
const iv = (i: { value: number | null; low: number | null; high: number | null }) => `${n3(i.value)} [${n3(i.low)}, ${n3(i.high)}]`;

export function modelCardMarkdown(card: ModelCard): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(`# Model card: ${card.name ?? card.modelId}`, "", `Model \`${card.modelId}\`, status **${card.status}**, dated ${card.dated} (the latest stored fact it rests on).`, "");
  push("## Intended use and limits", "", card.intendedUse.purpose, "", card.intendedUse.users, "", "Not for:", ...card.intendedUse.notFor.map((s) => `- ${s}`), "");
  push("Limits:", ...card.intendedUse.limits.map((s) => `- ${s}`), "");

  const t = card.trainingData;
  push("## Training data", "");
  push(`- cutoff: ${t.cutoff ?? "-"}; feature schema version ${t.schemaVersion ?? "-"}; data digest \`${t.dataDigest ?? "-"}\``);
  push(`- split: ${t.split ? JSON.stringify(t.split) : "-"}; ${t.trainRows ?? "-"} training rows, ${t.validationRows ?? "-"} validation rows`);
  if (t.summary) {
    const s = t.summary;
    push(`- ${s.rows} labelled files, ${s.positives} positive, ${s.negatives} negative; controls from ${s.period.from ?? "-"} to ${s.period.to ?? "-"}`);
    push(`- label: ${s.labelSource}`);
    push(`- selection mix: ${Object.entries(s.selection).map(([k, v]) => `${k} ${v}`).join(", ")}; ${s.withPropensity} with a recorded selection probability`);
  }
  push("");

  push("## Features and roles", "", ...table(["attribute", "type", "role", "description"], card.features.map((f) => [f.name, f.type, f.role, f.description ?? ""])), "");

  const tr = card.training;
  push("## Training", "");
  push(`- backend ${tr.backend ?? "-"}, seed ${tr.seed}, code version ${tr.codeVersion ?? "-"}, inverse propensity weighting ${tr.ipw ? "on" : "off"}`);
  push(`- ${tr.epochs ?? "-"} epochs (stop: ${tr.stopReason ?? "-"}, best epoch ${tr.bestEpoch ?? "-"} kept), ${tr.durationMs === null ? "-" : (tr.durationMs / 1000).toFixed(1)} s`);
  push(`- settings: \`${JSON.stringify(tr.params ?? {})}\``, "");

  const e = card.evaluation;
  push("## Evaluation against baselines", "");
  if (e.validation) {
    push(`Validation: ${e.validation.n} files, ${e.validation.positives} positives; ROC-AUC ${n3(e.validation.aucRoc)}, PR-AUC ${n3(e.validation.prAuc)}, Brier ${n3(e.validation.brier)}, log loss ${n3(e.validation.logLoss)}.`);
  }
  if (e.unbiased) push(`Exploration rows in validation (unbiased): ${e.unbiased.rows} with ${e.unbiased.positives} positives; ROC-AUC ${n3(e.unbiased.aucRoc)}${e.unbiased.note ? ` (${e.unbiased.note})` : ""}.`);
  push("", ...e.summary.map((s) => `- ${s}`), "");
  for (const c of e.comparisons) {
    push(`Against ${c.baseline} (${e.level === null ? "-" : Math.round(e.level * 100)} % paired bootstrap intervals, ${e.resamples ?? "-"} resamples): ${c.beats ? "beats it" : "does not clearly beat it"}.`, "");
    push(
      ...table(
        ["figure", "model", "baseline", "difference", "outcome"],
        c.figures.map((f) => [f.capacity === null ? f.figure : `${f.figure} @ ${pct(f.capacity)}`, iv(f.model), iv(f.baseline), iv(f.difference), f.outcome]),
      ),
      "",
    );
  }

  push("## Calibration", "");
  if (card.calibration.platt) push(`Platt scaling a = ${n3(card.calibration.platt.a)}, b = ${n3(card.calibration.platt.b)} (fitted on ${card.calibration.platt.n} rows).`, "");
  push(...table(["bin", "files", "mean score", "observed rate"], card.calibration.bins.map((b) => [String(b.bin), String(b.n), n3(b.meanScore), n3(b.observedRate)])), "");

  push("## Per-segment performance and fairness", "");
  if (!card.fairness) push("No fairness report was stored with this model (trained before fairness reports).", "");
  else {
    push(`At capacity ${pct(card.fairness.capacity)} (top ${card.fairness.k} validation files). Ratios to the reference group; flagged outside 0.8-1.25; groups under 30 files or 5 positives are too small to judge.`, "");
    for (const a of card.fairness.attributes) {
      push(`### ${a.attribute} (reference ${a.reference}): ${a.flaggedGroups} flagged, ${a.headlineFlags} on FDR/FPR, ${a.tooSmallGroups} too small`, "");
      push(
        ...table(
          ["group", "files", "positives", "selection", "precision", "FPR", "FNR", "FDR ratio", "FPR ratio", "flags"],
          a.groups.map((g) => [g.value, String(g.n), String(g.positives), n3(g.selectionRate), n3(g.precision), n3(g.fpr), n3(g.fnr), n3(g.fdrRatio), n3(g.fprRatio), g.judgeable ? g.flags.join(", ") || "none" : "too small to judge"]),
        ),
        "",
      );
    }
  }

  push("## Drift", "");
  const d = card.drift;
  if (!d) push("No scoring run of this model measured drift.", "");
  else {
    push(`${d.atApproval ? "At approval" : "Latest"}: run \`${d.runId}\` (${d.finishedAt ?? "-"}), ${d.rows} files, **${d.band}**, prediction PSI ${n3(d.predictionPsi)}.`, "");
    if (d.alarms.length) push(...d.alarms.map((a) => `- ALARM ${a}`), "");
    push(...table(["feature", "PSI", "band"], d.features.map((f) => [f.name, n3(f.psi), f.band])), "");
  }

  push("## Yield on past controls (off-policy)", "");
  const y = card.yieldEstimate;
  if (!y) push("No off-policy estimate was made (GET /v1/models/{id}/yield-estimate).", "");
  else {
    push(
      `Estimate \`${y.id}\` (${y.createdAt}), list at ${pct(y.capacity)} of run \`${y.runId}\`, from ${y.controls} past controls (${y.support.controls} in the list, ${y.support.positives} positive, effective size ${y.support.effectiveSize.toFixed(1)}); past lists' hit rate ${n3(y.pastHitRate)}.`,
      "",
      ...table(["estimate", "hit rate [95 %]"], (["ips", "snips", "dr", "naive"] as const).map((k) => [k, iv(y.hitRate[k])])),
      "",
      ...y.warnings.map((w) => `- ${w}`),
      "",
    );
  }

  push("## Approval and oversight", "");
  const ap = card.approval;
  if (!ap) push("Not approved.");
  else {
    push(`Approved by ${ap.approvedBy ?? "-"} at ${ap.approvedAt ?? "-"}: "${ap.justification ?? ""}"`);
    if (ap.warningsOverridden.length) push("", "Warnings overridden:", ...ap.warningsOverridden.map((w) => `- ${w}`));
  }
  const o = card.oversight;
  push("", `Trained by ${o.trainedBy}.${o.suspendedAt ? ` Suspended ${o.suspendedAt} by ${o.suspendedBy}: "${o.suspensionJustification ?? ""}".` : ""}${o.retiredAt ? ` Retired ${o.retiredAt}.` : ""}`, "");
  push("## Artifact", "", `- SHA-256 \`${card.artifact.sha256 ?? "-"}\``, `- data digest \`${card.artifact.dataDigest ?? "-"}\``, `- code version ${card.artifact.codeVersion ?? "-"}`, "");
  return out.join("\n");
}
