import { z } from "@hono/zod-openapi";
import { AmountFound, ControlDate } from "../../params.js";
import { SELECTED_BY } from "../../../db/schema/index.js";
import { IMPORT_MODES } from "../../../ingest/csv-import.js";
import { OUTCOMES_BATCH_LIMIT } from "../../../ingest/import-outcomes.js";

export const OutcomeInputSchema = z
  .object({
    fileId: z.string().min(1).max(200),
    controlledAt: ControlDate,
    outcome: z.union([z.literal(0), z.literal(1)]).openapi({ description: "1 = irregularity found, 0 = nothing found" }),
    amount: AmountFound.nullable().optional().openapi({ description: "Amount recovered" }),
    selectedBy: z.enum(SELECTED_BY).optional().openapi({ description: "How the file was picked; unknown when absent" }),
    selectionProbability: z.number().gt(0).max(1).nullable().optional().openapi({
      description: "Probability the file had of being picked, in (0, 1] (exploration picks record it exactly)",
    }),
    inspector: z.string().max(1000).nullable().optional(),
    notes: z.string().max(1000).nullable().optional(),
  })
  .openapi("OutcomeInput");

export const CreateOutcomesBody = z
  .object({ outcomes: z.array(OutcomeInputSchema).min(1).max(OUTCOMES_BATCH_LIMIT) })
  .openapi("CreateOutcomes", { description: `At most ${OUTCOMES_BATCH_LIMIT} outcomes per request; use POST /v1/outcomes/import for more` });

export const OutcomesWriteResultSchema = z
  .object({
    rows: z.number().int(),
    inserted: z.number().int(),
    duplicates: z.number().int().openapi({
      description: "Rows identical to a stored control (file, date, outcome, selected_by, inspector): skipped",
    }),
    rejected: z.number().int(),
  })
  .openapi("OutcomesWriteResult");

export const OutcomesImportResultSchema = OutcomesWriteResultSchema.extend({
  mode: z.enum(IMPORT_MODES),
  errors: z.array(
    z.object({ path: z.string(), message: z.string(), line: z.number().int().optional(), column: z.string().optional() }),
  ),
}).openapi("OutcomesImportResult");

export const ImportQuery = z.object({
  mode: z.enum(IMPORT_MODES).default("all-or-nothing"),
});

export const CsvBody = z.string().openapi({
  description:
    "CSV with a header: file_id, controlled_at, outcome required; amount, selected_by, selection_probability, inspector, notes optional",
});
