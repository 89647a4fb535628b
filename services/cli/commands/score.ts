import type { Command } from "commander";
import type { DriftReport } from "../../../models/drift-schema.js";
import { printJson } from "../context.js";
import { driftHeadline, driftTable } from "../drift-table.js";
import { fairnessTable } from "../fairness-table.js";
import type { FairnessReport } from "../../../models/fairness-schema.js";
import { ProgressLine, progressBar } from "../progress.js";
import { type ApiTarget, apiOptions, callApi } from "./api-client.js";

type Run = {
  id: string;
  status: string;
  totalFiles: number;
  totalChunks: number;
  error: string | null;
  drift?: DriftReport | null;
  progress?: { chunksDone: number; filesDone: number; filesPerSecond: number; etaSeconds: number | null };
};

const TERMINAL = ["completed", "failed", "cancelled"];

/** One progress line: a bar over the files, chunks, files/s and ETA. */
export function scoreProgressLine(run: Run): string {
  const p = run.progress ?? { chunksDone: 0, filesDone: 0, filesPerSecond: 0, etaSeconds: null };
  const bar = progressBar(run.totalFiles ? p.filesDone / run.totalFiles : 0);
  const eta = p.etaSeconds === null ? "" : ` ETA ${p.etaSeconds}s`;
  return `${run.status.padEnd(9)} ${bar} ${p.filesDone}/${run.totalFiles} files, chunk ${p.chunksDone}/${run.totalChunks}, ${p.filesPerSecond} files/s${eta}`;
}

/** Polls GET /v1/scoring-runs/:id, redrawing the bar on stderr (stdout stays machine-readable JSON). */
async function follow(target: ApiTarget, id: string, intervalMs = 500): Promise<Run | null> {
  const progress = new ProgressLine();
  for (;;) {
    const run = (await callApi(target, "GET", `/v1/scoring-runs/${id}`)) as Run | null;
    if (!run) return null;
    progress.update(scoreProgressLine(run));
    if (TERMINAL.includes(run.status)) {
      progress.done();
      return run;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

/** `score [--units a,b | --files id,…] [--model id] [--shadow]`: a scoring run with a progress bar; `score fairness|drift|cancel|resume <id>`. */
export function register(program: Command) {
  const score = program
    .command("score")
    .description("score files with a model (through the HTTP API: CTS_URL, CTS_API_KEY); shows a progress bar on stderr")
    .option("--model <id>", "model id (default: the active model)")
    .option("--units <ids>", "only the files of these units (comma-separated, repeatable)", list)
    .option("--files <ids>", "only these file ids (comma-separated, repeatable)", list)
    .option("--shadow", "a challenger run: kept, never used for control lists")
    .option("--no-wait", "print the queued run and return at once");
  for (const [flags, description] of apiOptions()) score.option(flags, description);
  score.action(async (opts: ApiTarget & { model?: string; units?: string[]; files?: string[]; shadow?: boolean; wait: boolean }) => {
    const scope = opts.units ? { units: opts.units } : opts.files ? { fileIds: opts.files } : { all: true };
    const created = (await callApi(opts, "POST", "/v1/scoring-runs", { json: { modelId: opts.model, scope, shadow: opts.shadow ?? false } })) as Run | null;
    if (!created) return;
    if (!opts.wait) return printJson(created);
    const run = await follow(opts, created.id);
    // The drift verdict goes to stderr with the bar, so stdout stays the run's JSON.
    if (run?.status === "completed") process.stderr.write(`${driftHeadline(run.drift ?? null)}\n`);
    if (run) printJson(run);
    if (run && run.status !== "completed") process.exitCode = 1;
  });
  const drift = score.command("drift <id>").description("a run's drift against its model's training population (table; --json for the report)").option("--json", "print the report as JSON");
  for (const [flags, description] of apiOptions()) drift.option(flags, description);
  drift.action(async (id: string, opts: ApiTarget & { json?: boolean }) => {
    const run = (await callApi(opts, "GET", `/v1/scoring-runs/${id}`)) as Run | null;
    if (!run) return;
    if (opts.json) printJson(run.drift ?? null);
    else process.stdout.write(driftTable(run.id, run.drift ?? null));
  });
  const fairness = score
    .command("fairness <id>")
    .description("per-segment selection and outcome figures of a run's files at a capacity, with disparities (table; --json for the report)")
    .option("--capacity <share>", "share of the run's files selected (top scores)", "0.1")
    .option("--reference <attribute:value>", "the reference group of one attribute (default: the largest)")
    .option("--json", "print the report as JSON");
  for (const [flags, description] of apiOptions()) fairness.option(flags, description);
  fairness.action(async (id: string, opts: ApiTarget & { capacity: string; reference?: string; json?: boolean }) => {
    const query = new URLSearchParams({ capacity: opts.capacity, ...(opts.reference ? { reference: opts.reference } : {}) });
    const body = (await callApi(opts, "GET", `/v1/scoring-runs/${id}/fairness?${query}`)) as { runId: string; report: FairnessReport } | null;
    if (!body) return;
    if (opts.json) printJson(body);
    else process.stdout.write(fairnessTable({ kind: "run", id: body.runId }, body.report));
  });
  for (const action of ["cancel", "resume"] as const) {
    const sub = score.command(`${action} <id>`).description(`${action} a scoring run`);
    for (const [flags, description] of apiOptions()) sub.option(flags, description);
    sub.action(async (id: string, opts: ApiTarget) => {
      const run = await callApi(opts, "POST", `/v1/scoring-runs/${id}/${action}`);
      if (run) printJson(run);
    });
  }
}
