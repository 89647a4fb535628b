import type { Command } from "commander";
import { printJson } from "../context.js";
import { apiOptions, callApi } from "./api-client.js";

/** `units list`: the units this key may see, with files, open lists and last scoring run. */
export function register(program: Command) {
  const command = program
    .command("units")
    .description("units (through the HTTP API)")
    .command("list")
    .description("list the units with their files, open lists and last scoring run");
  for (const [flags, description] of apiOptions()) command.option(flags, description);
  command.action(async (opts: { url?: string; key?: string }) => {
    const result = await callApi(opts, "GET", "/v1/units");
    if (result) printJson(result);
  });
}
