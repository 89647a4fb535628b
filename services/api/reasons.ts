import { z } from "@hono/zod-openapi";

/**
 * The reasons of a score as the API shows them. Scores store them compactly, as
 * [attribute, contribution] pairs (scores.reasons, control_list_items.reasons): the top attributes by
 * |gradient × (input − baseline)| summed over each attribute's encoded columns, in calibrated
 * log-odds (models/explain.ts). Positive raises the risk, negative lowers it.
 */
export const ReasonSchema = z
  .object({
    attribute: z.string(),
    contribution: z.number().optional().openapi({ description: "Contribution to the score, in log-odds (not shown to inspectors)" }),
    direction: z.enum(["raises", "lowers"]),
  })
  .openapi("Reason");
export type Reason = z.infer<typeof ReasonSchema>;

export function expandReasons(stored: unknown): (Reason & { contribution: number })[] {
  return (stored as [string, number][]).map(([attribute, contribution]) => ({
    attribute,
    contribution,
    direction: contribution < 0 ? ("lowers" as const) : ("raises" as const),
  }));
}

/** Reasons without their magnitudes: what inspectors see (services/lists/inspector-view.ts). */
export const blindReasons = (stored: unknown): Reason[] => expandReasons(stored).map(({ attribute, direction }) => ({ attribute, direction }));

/**
 * One readable cell for CSV exports: `income_change +0.1208; legal_form -0.0784`, or for inspectors
 * `income_change raises; legal_form lowers`.
 */
export const reasonsText = (stored: unknown, view: "inspector" | "full" = "full"): string =>
  expandReasons(stored)
    .map((r) => (view === "inspector" ? `${r.attribute} ${r.direction}` : `${r.attribute} ${r.contribution < 0 ? "" : "+"}${r.contribution}`))
    .join("; ");

/** A reason in words (models/reason-words.ts), the same for every role: it shows no magnitude. */
export const ReasonInWordsSchema = z
  .object({
    attribute: z.string(),
    label: z.string().openapi({ description: "The attribute as people name it (the export's header when there was one)" }),
    value: z.union([z.string(), z.number(), z.boolean()]).nullable().openapi({ description: "This file's value" }),
    reference: z.union([z.string(), z.number(), z.boolean()]).nullable().openapi({
      description: "What it is compared with: the training median (numbers, dates) or most common level (categories)",
    }),
    comparison: z.enum(["above", "below", "equal", "differs", "missing"]),
    direction: z.enum(["raises", "lowers"]),
    text: z.string().openapi({ example: "monthly income 1.2K, below the typical 4.9K: raises the risk" }),
  })
  .openapi("ReasonInWords");
