import { type Command, InvalidArgumentError } from "commander";
import { printJson } from "../context.js";
import { apiOptions, callApi } from "./api-client.js";

const outcomeValue = (value: string) => {
  if (value !== "0" && value !== "1") throw new InvalidArgumentError("0 (nothing found) or 1 (irregularity found)");
  return Number(value) as 0 | 1;
};
const amountValue = (value: string) => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("a number >= 0");
  return n;
};

/**
 * `outcomes record LIST FILE --outcome 0|1`: what the control of one file on a list found, through
 * POST /v1/control-lists/:id/items/:fileId/outcome (an inspector's key), checked and audited as
 * from any client. (`outcomes import` loads past controls in bulk.)
 */
export function register(program: Command) {
  const group = program.commands.find((c) => c.name() === "outcomes") ?? program.command("outcomes").description("outcomes (through the HTTP API)");
  const command = group
    .command("record <listId> <fileId>")
    .description("record what the control of a file on a list found")
    .requiredOption("--outcome <0|1>", "1: irregularity found; 0: nothing found", outcomeValue)
    .option("--amount <n>", "the amount found", amountValue)
    .option("--date <yyyy-mm-dd>", "the date of the control (default today)")
    .option("--notes <text>", "what the inspector noted");
  for (const [flags, description] of apiOptions()) command.option(flags, description);
  command.action(async (listId: string, fileId: string, opts: { outcome: 0 | 1; amount?: number; date?: string; notes?: string; url?: string; key?: string }) => {
    const json = { outcome: opts.outcome, amount: opts.amount, controlledAt: opts.date, notes: opts.notes };
    const result = await callApi(opts, "POST", `/v1/control-lists/${encodeURIComponent(listId)}/items/${encodeURIComponent(fileId)}/outcome`, { json });
    if (result) printJson(result);
  });
}
