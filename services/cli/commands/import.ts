import type { Command } from "commander";
import { printJson } from "../context.js";
import { apiOptions, callApi } from "./api-client.js";

interface ImportOptions {
  url?: string;
  key?: string;
  skipInvalid?: boolean;
}

/**
 * `files import FILE.csv` and `outcomes import FILE.csv`: stream a CSV (gzip when it ends in .gz) to
 * POST /v1/files/import or /v1/outcomes/import of a running service (CTS_URL, CTS_API_KEY of a data
 * officer). Through the API rather than the database, so an import is checked and audited one way.
 */
export function register(program: Command) {
  for (const [name, path, what] of [
    ["files", "/v1/files/import", "files (columns id, unit and the schema's attributes)"],
    ["outcomes", "/v1/outcomes/import", "past controls (file_id, controlled_at, outcome, …)"],
  ] as const) {
    const group = program.commands.find((c) => c.name() === name) ?? program.command(name).description(`${name} (through the HTTP API)`);
    const command = group
      .command("import <file>")
      .description(`import ${what} from a CSV file; all or nothing unless --skip-invalid`)
      .option("--skip-invalid", "write the good rows and report the bad ones");
    for (const [flags, description] of apiOptions()) command.option(flags, description);
    command.action(async (file: string, opts: ImportOptions) => {
      const mode = opts.skipInvalid ? "skip-invalid" : "all-or-nothing";
      const result = await callApi(opts, "POST", `${path}?mode=${mode}`, {
        file,
        contentType: "text/csv",
        gzip: file.endsWith(".gz"),
      });
      if (result) printJson(result);
    });
  }
}
