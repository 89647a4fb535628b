import { type Command, InvalidArgumentError, Option } from "commander";
import { fetchService } from "./api-client.js";
import { loadConfig } from "../../config.js";
import { printJson } from "../context.js";
import { ProgressLine, progressBar } from "../progress.js";
import { fairnessTable } from "../fairness-table.js";
import { modelReport } from "../verdict-table.js";

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("not an integer");
  return n;
};

/** `--param hiddenUnits=32` → { hiddenUnits: 32 } (numbers and true/false parsed, anything else kept as text). */
const param = (value: string, previous: Record<string, unknown>) => {
  const eq = value.indexOf("=");
  if (eq < 1) throw new InvalidArgumentError("use name=value");
  const raw = value.slice(eq + 1);
  const parsed = raw === "true" ? true : raw === "false" ? false : raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [value.slice(0, eq)]: parsed };
};

/**
 * Calls the HTTP API as CTS_API_KEY (a data officer or auditor key), so the CLI is authorized
 * and audited like any client. A problem answer goes to stderr and the command exits 1.
 */
async function api<T>(method: string, path: string, json?: unknown): Promise<T> {
  return JSON.parse(await apiText(method, path, json)) as T;
}

/** The answer's body as text (e.g. the Markdown card); a problem goes to stderr and exits 1. */
async function apiText(method: string, path: string, json?: unknown): Promise<string> {
  const config = loadConfig();
  if (!config.CTS_API_KEY) throw new Error("set CTS_API_KEY (a data officer key) and CTS_URL to use `models`");
  const res = await fetchService(new URL(path, config.CTS_URL), {
    method,
    headers: {
      authorization: `Bearer ${config.CTS_API_KEY}`,
      ...(json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (!res.ok) {
    process.stderr.write(`${await res.text()}\n`);
    process.exit(1);
  }
  return res.text();
}

type Model = { id: string; status: string; error: string | null; progress: Record<string, number | string> | null };

const fmt = (x: unknown) => (typeof x === "number" ? x.toFixed(3) : "-");

const STOP_REASON: Record<string, string> = { patience: "early stop", "max-epochs": "last epoch", budget: "training budget", callback: "stopped" };

/**
 * One progress line: a bar over the epochs plus the latest loss and validation figures. Once
 * done, the bar ends (full) at the epoch training stopped at, says why, and shows the stored
 * validation figures of the kept (best) epoch.
 */
export function progressLine(m: Model): string {
  const p = m.progress ?? {};
  const epoch = typeof p.epoch === "number" ? p.epoch : 0;
  const stoppedAt = typeof p.stoppedAt === "number" ? p.stoppedAt : null;
  const max = stoppedAt ?? (typeof p.maxEpochs === "number" ? p.maxEpochs : 0);
  const bar = progressBar(max ? epoch / max : 0);
  const why = stoppedAt !== null ? ` (${STOP_REASON[String(p.stopReason)] ?? p.stopReason} of ${p.maxEpochs}, best epoch ${p.bestEpoch})` : "";
  return `${m.status.padEnd(8)} ${String(p.phase ?? "queued").padEnd(10)} ${bar} epoch ${epoch}/${max || "?"}${why} loss ${fmt(p.loss)} val PR-AUC ${fmt(p.valPrAuc)} ROC-AUC ${fmt(p.valAucRoc)}`;
}

/** The model as JSON with --json, else the readable verdict report. */
const printModel = (model: unknown, json: boolean | undefined): void => {
  if (json) printJson(model);
  else process.stdout.write(modelReport(model as Parameters<typeof modelReport>[0]));
};

/** Polls GET /v1/models/:id, redrawing the progress line on stderr (stdout stays machine-readable). */
async function waitFor(id: string, intervalMs = 500): Promise<Model> {
  const progress = new ProgressLine();
  for (;;) {
    const m = await api<Model>("GET", `/v1/models/${id}`);
    progress.update(progressLine(m));
    if (!["draft", "training"].includes(m.status)) {
      progress.done();
      return m;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `models train|show|fairness|card|yield|list|approve|retire|cancel|compare` through the HTTP API. */
export function register(program: Command) {
  const models = program.command("models").description("train, evaluate and govern models (through the HTTP API: CTS_URL, CTS_API_KEY)");

  models
    .command("train")
    .description("train a model on past outcomes; prints the model id (or the model with --wait)")
    .option("--name <name>", "a name for the model")
    .option("--cutoff <yyyy-mm-dd>", "use controls before this date (default today)")
    .addOption(new Option("--split <kind>", "temporal or random (default: temporal when dates allow)").choices(["temporal", "random"]))
    .option("--validation-from <yyyy-mm-dd>", "temporal split boundary")
    .option("--seed <n>", "seed", integer)
    .option("--param <name=value>", "training hyper-parameter override, repeatable (e.g. ensembleSeeds=1, search=false)", param, {})
    .option("--budget <seconds>", "wall-clock budget of the whole training (default 60; the ensemble shrinks to fit)", integer)
    .option("--ipw", "weight rows by inverse selection probability")
    .option("--wait", "show a progress bar on stderr until the training ends, then the verdict")
    .option("--json", "print the model as JSON rather than the verdict table (with --wait)")
    .action(async (opts: { name?: string; cutoff?: string; split?: string; validationFrom?: string; seed?: number; param: Record<string, unknown>; budget?: number; ipw?: boolean; wait?: boolean; json?: boolean }) => {
      const created = await api<{ id: string }>("POST", "/v1/models", {
        name: opts.name,
        cutoff: opts.cutoff,
        split: opts.split,
        validationFrom: opts.validationFrom,
        seed: opts.seed,
        params: Object.keys(opts.param).length || opts.budget !== undefined ? { ...opts.param, ...(opts.budget !== undefined ? { budgetSeconds: opts.budget } : {}) } : undefined,
        ipw: opts.ipw,
      });
      if (!opts.wait) return printJson(created);
      const model = await waitFor(created.id);
      printModel(await api("GET", `/v1/models/${created.id}`), opts.json);
      if (model.status === "failed") process.exitCode = 1;
    });

  models
    .command("show <id>")
    .description("status, training, verdict against the baselines (table; --json for everything)")
    .option("--json", "print the model as JSON (metrics, baselines, curves, progress)")
    .action(async (id: string, opts: { json?: boolean }) => printModel(await api("GET", `/v1/models/${id}`), opts.json));
  models
    .command("fairness <id>")
    .description("per-segment figures and disparities of the model's evaluation at a capacity (table; --json for the report)")
    .option("--capacity <share>", "share of files selected, one of the stored capacities", "0.1")
    .option("--reference <attribute:value>", "the reference group of one attribute (default: the largest)")
    .option("--json", "print the report as JSON")
    .action(async (id: string, opts: { capacity: string; reference?: string; json?: boolean }) => {
      const query = new URLSearchParams({ capacity: opts.capacity, ...(opts.reference ? { reference: opts.reference } : {}) });
      const body = await api<{ modelId: string; report: Parameters<typeof fairnessTable>[1] }>("GET", `/v1/models/${id}/fairness?${query}`);
      if (opts.json) printJson(body);
      else process.stdout.write(fairnessTable({ kind: "model", id: body.modelId }, body.report));
    });
  models
    .command("card <id>")
    .description("the model's card (technical documentation) as Markdown; --json for the JSON card")
    .option("--json", "print the card as JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      if (opts.json) printJson(await api("GET", `/v1/models/${id}/card`));
      else process.stdout.write(await apiText("GET", `/v1/models/${id}/card?format=md`));
    });
  models
    .command("yield <id>")
    .description("what the model's list would have found on past controls (IPS, SNIPS, doubly robust, naive), stored and audited")
    .option("--capacity <share>", "share of files the list would control", "0.1")
    .action(async (id: string, opts: { capacity: string }) =>
      printJson(await api("GET", `/v1/models/${id}/yield-estimate?${new URLSearchParams({ capacity: opts.capacity })}`)),
    );
  models.command("list").description("models, newest first").action(async () => printJson(await api("GET", "/v1/models")));
  models
    .command("approve <id>")
    .description("approve a trained model (not your own): it becomes the active model")
    .requiredOption("--justification <text>", "why this model should be used")
    .option("--override", "approve although the verdict guard warns (the warnings are kept with the approval)")
    .action(async (id: string, opts: { justification: string; override?: boolean }) =>
      printJson(await api("POST", `/v1/models/${id}/approve`, { justification: opts.justification, override: opts.override ?? false })),
    );
  models.command("retire <id>").description("retire a model").action(async (id: string) => printJson(await api("POST", `/v1/models/${id}/retire`)));
  models.command("cancel <id>").description("cancel a queued or running training").action(async (id: string) => printJson(await api("POST", `/v1/models/${id}/cancel`)));
  models
    .command("compare <a> <b>")
    .description("two models side by side, on past controls against the active one; with --list-size, the overlap of their lists")
    .option("--capacity <share>", "share of files of the past-controls comparison (default: the newest stored estimate's, else 0.1)")
    .option("--list-size <files>", "files per unit, as a list's capacity: adds the overlap of the two models' lists")
    .action(async (a: string, b: string, opts: { capacity?: string; listSize?: string }) => {
      const query = new URLSearchParams({ ids: `${a},${b}`, ...(opts.capacity ? { capacity: opts.capacity } : {}), ...(opts.listSize ? { listSize: opts.listSize } : {}) });
      printJson(await api("GET", `/v1/models/compare?${query}`));
    });
}
