import { z } from "@hono/zod-openapi";
import { AMOUNT_RULE, amountProblem, controlDateProblem, EARLIEST_CONTROL_DATE } from "../ingest/validate-outcome.js";
import { FILE_ID_PATTERN } from "../ingest/values.js";

/**
 * Field schemas shared by the routes' path and query parameters. Every text a client sends is
 * checked before it reaches SQL: Postgres refuses NUL in text and integers past int4 with an
 * error that would otherwise surface as a 500.
 */

/** Postgres integer (int4) bounds: a larger value can never match a row, so it is refused. */
export const PG_INT_MAX = 2_147_483_647;

/** A file id as imports accept it (services/ingest/values.ts FILE_ID_PATTERN). */
export const FileIdText = z
  .string()
  .regex(FILE_ID_PATTERN, "a file id: 1 to 200 characters, no control characters, no leading or trailing blank");

/** A search term (actor, target, action): no control characters, bounded. */
export const SearchText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\x00-\x1f\x7f]*$/, "must not contain control characters");

/** A positive integer query value that fits an int4 column. */
export const PgIntQuery = z.coerce.number().int().min(1).max(PG_INT_MAX);

/** A control's date, with the rule every outcome door applies (services/ingest/validate-outcome.ts). */
export const ControlDate = z
  .string()
  .superRefine((date, ctx) => {
    const problem = controlDateProblem(date, new Date().toISOString().slice(0, 10));
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({ description: `Date of the control, yyyy-mm-dd, from ${EARLIEST_CONTROL_DATE} to today (UTC)`, example: "2025-03-14" });

/** The amount a control found, with the rule every outcome door applies. */
export const AmountFound = z.number().refine((amount) => amountProblem(amount) === null, AMOUNT_RULE);
