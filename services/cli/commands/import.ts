import type { Command } from "commander";
import { printJson } from "../context.js";
import { ProgressLine, progressBar } from "../progress.js";
import { apiOptions, callApi, type UploadProgress } from "./api-client.js";

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
      .description(`import ${what} from a CSV file; all or nothing unless --skip-invalid; shows the upload on stderr`)
      .option("--skip-invalid", "write the good rows and report the bad ones");
    for (const [flags, description] of apiOptions()) command.option(flags, description);
    command.action(async (file: string, opts: ImportOptions) => {
      const mode = opts.skipInvalid ? "skip-invalid" : "all-or-nothing";
      const progress = new ProgressLine();
      const result = await callApi(opts, "POST", `${path}?mode=${mode}`, {
        file,
        contentType: "text/csv",
        gzip: file.endsWith(".gz"),
        onSent: uploadProgress(progress),
        // A problem answer goes to stderr: not onto the redrawn line.
        onAnswer: () => progress.done(),
      });
      if (result) printJson(result);
    });
  }
}

/**
 * One progress line per percent of the file sent (the service checks and writes rows as they
 * arrive, so the upload's pace is the import's), then one while the service writes the last rows
 * and commits, which for a large import takes a few seconds more.
 */
function uploadProgress(progress: ProgressLine, started = performance.now()): UploadProgress {
  let shown = -1;
  return (sent, total) => {
    const percent = total > 0 ? Math.floor((100 * sent) / total) : 100;
    if (percent === shown) return;
    shown = percent;
    progress.update(uploadProgressLine(sent, total, (performance.now() - started) / 1000));
  };
}

/** `uploading [###.......] 12% 19/162 MB, 9.8 MB/s, ETA 15s`, and once all is sent, what it waits for. */
export function uploadProgressLine(sent: number, total: number, seconds: number): string {
  const [unit, size] = total >= 1e6 ? ["MB", 1e6] : ["kB", 1e3];
  const amount = (bytes: number) => Math.round(bytes / size);
  if (sent >= total) {
    return `uploaded ${amount(total)} ${unit} in ${Math.round(seconds)}s; the service is writing the last rows and committing`;
  }
  const rate = seconds > 0 ? sent / seconds : 0;
  const eta = rate > 0 ? `, ETA ${Math.ceil((total - sent) / rate)}s` : "";
  return `uploading ${progressBar(sent / total)} ${Math.floor((100 * sent) / total)}% ${amount(sent)}/${amount(total)} ${unit}, ${(rate / 1e6).toFixed(1)} MB/s${eta}`;
}
