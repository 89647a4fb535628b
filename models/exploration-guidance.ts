import { z } from "zod";
import type { OffPolicyEstimate } from "./off-policy.js";

/**
 * How the exploration share of lists sets the width of a yield estimate's interval, so an officer
 * can choose the share knowingly. The estimate's support beyond the active model's own list comes
 * from exploration picks; with a share s, about s of each list explores, and each exploration pick
 * weighs about 1/s, so the effective size of the support grows about in proportion to s and the
 * interval width as 1/√s. From the current estimate (width W at share s₀): W·√(s₀/s). It is a rule
 * of thumb: on the demo population (docs/benchmarks/2026-12-04-off-policy-demo.md) widths fell a
 * little more slowly than 1/√s at large shares, because a candidate's list also holds model picks
 * (weight 1) that exploration does not add to.
 */

/** The shares shown (the default 10 % among them). */
export const GUIDANCE_SHARES = [0.05, 0.1, 0.2, 0.5] as const;

export const ExplorationGuidanceSchema = z.object({
  /** Exploration picks among the past controls used (model and exploration picks): the share that made the current support. */
  currentShare: z.number().nullable(),
  /** The current SNIPS interval width the rows scale. */
  currentWidth: z.number().nullable(),
  rows: z.array(
    z.object({
      share: z.number(),
      /** Expected width of the SNIPS 95 % interval with the same number of past controls at this share. */
      expectedWidth: z.number().nullable(),
      expectedEffectiveSize: z.number().nullable(),
    }),
  ),
  note: z.string(),
});
export type ExplorationGuidance = z.infer<typeof ExplorationGuidanceSchema>;

/** The guidance table for an estimate made from `controls` past controls, `exploration` of them exploration picks. */
export function explorationGuidance(estimate: OffPolicyEstimate, controls: { model: number; exploration: number }): ExplorationGuidance {
  const total = controls.model + controls.exploration;
  const s0 = total > 0 && controls.exploration > 0 ? controls.exploration / total : null;
  const { low, high } = estimate.hitRate.snips;
  const width = low !== null && high !== null ? high - low : null;
  // Scaling needs lists that mixed model and exploration picks (0 < s₀ < 1) and a width worth
  // scaling: on thin support the interval itself is noise. A rate's interval is at most 1 wide.
  const why =
    s0 === null
      ? "No exploration picks among the past controls: the width cannot be scaled (lists with exploration are needed first)."
      : s0 >= 1
        ? "Every past control used was an exploration pick (no model picks with a recorded probability): there is no list share to scale from."
        : estimate.support.thin || width === null
          ? "The support of this estimate is thin: its interval is too uncertain to scale."
          : null;
  const rows = GUIDANCE_SHARES.map((share) => ({
    share,
    expectedWidth: why === null ? Math.min(1, width! * Math.sqrt(s0! / share)) : null,
    expectedEffectiveSize: why === null ? estimate.support.effectiveSize * (share / s0!) : null,
  }));
  const note =
    why ??
    "Rule of thumb: the interval narrows about as 1/√share for the same number of controls; a larger share costs hits on today's lists (exploration picks are found at about the population's base rate).";
  return { currentShare: s0, currentWidth: width, rows, note };
}
