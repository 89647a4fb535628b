import { createWriteStream } from "node:fs";
import { fetchService } from "./api-client.js";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../../config.js";
import { printJson } from "../context.js";
import { fairnessTable } from "../fairness-table.js";
import type { FairnessReport } from "../../../models/fairness-schema.js";

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("not an integer");
  return n;
};
const share = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError("not a number");
  return n;
};
/** `--filter region=coast,hills` → { region: ["coast", "hills"] }. */
const filter = (value: string, previous: Record<string, string[]>) => {
  const eq = value.indexOf("=");
  if (eq < 1) throw new InvalidArgumentError("use attribute=value[,value…]");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1).split(",") };
};

/**
 * Calls the service's HTTP API as CTS_API_KEY: lists are built and read by the running service,
 * so the CLI is authorized and audited exactly like any other client. A problem answer is printed
 * to stderr and sets exit code 1.
 */
async function api(method: string, path: string, init: { json?: unknown; accept?: string } = {}): Promise<Response | null> {
  const config = loadConfig();
  if (!config.CTS_API_KEY) throw new Error("set CTS_API_KEY (an inspector key) and CTS_URL to use `lists`");
  const headers: Record<string, string> = { authorization: `Bearer ${config.CTS_API_KEY}` };
  if (init.json !== undefined) headers["content-type"] = "application/json";
  if (init.accept) headers.accept = init.accept;
  const res = await fetchService(new URL(path, config.CTS_URL), {
    method,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (res.ok) return res;
  process.stderr.write(`${await res.text()}\n`);
  process.exitCode = 1;
  return null;
}

/** `lists create|show|fairness|export|add|skip`: build, read, export and adjust control lists through the HTTP API. */
export function register(program: Command) {
  const lists = program.command("lists").description("control lists (through the HTTP API: CTS_URL, CTS_API_KEY)");

  lists
    .command("create")
    .description("build a prioritized control list for one of your units")
    .requiredOption("--unit <unit>", "the unit")
    .requiredOption("--capacity <n>", "how many controls (1..1000)", integer)
    .option("--exploration <share>", "exploration share in [0, 1)", share, 0.1)
    .option("--exclusion-days <n>", "skip files controlled in the last N days", integer, 365)
    .addOption(new Option("--ranking <mode>", "rank by risk (score) or yield (score × amount)").choices(["risk", "yield"]).default("risk"))
    .option("--filter <attr=values>", "categorical filter, repeatable: region=coast,hills", filter, {})
    .option("--seed <n>", "seed (default: random, stored with the list)", integer)
    .action(async (o: { unit: string; capacity: number; exploration: number; exclusionDays: number; ranking: string; filter: Record<string, string[]>; seed?: number }) => {
      const res = await api("POST", "/v1/control-lists", {
        json: {
          unit: o.unit,
          capacity: o.capacity,
          explorationShare: o.exploration,
          exclusionDays: o.exclusionDays,
          ranking: o.ranking,
          filters: o.filter,
          ...(o.seed === undefined ? {} : { seed: o.seed }),
        },
      });
      if (res) printJson(await res.json());
    });

  lists
    .command("show [id]")
    .description("show one list with its items, or (without id) my lists")
    .option("--summary", "show done, pending and hit rate instead of the items")
    .option("--unit <unit>", "without id: lists of this unit")
    .addOption(new Option("--status <status>", "without id: open or closed lists").choices(["open", "closed"]))
    .action(async (id: string | undefined, o: { summary?: boolean; unit?: string; status?: string }) => {
      const query = new URLSearchParams({ ...(o.unit ? { unit: o.unit } : { mine: "true" }), ...(o.status ? { status: o.status } : {}) });
      const path = id ? `/v1/control-lists/${encodeURIComponent(id)}${o.summary ? "/summary" : ""}` : `/v1/control-lists?${query}`;
      const res = await api("GET", path);
      if (res) printJson(await res.json());
    });

  lists
    .command("fairness <id>")
    .description("per-segment selection rate and hit rate of a list's picks against its unit's scored files (officers, auditors, admins; table, --json for the report)")
    .option("--reference <attribute:value>", "the reference group of one attribute (default: the largest)")
    .option("--json", "print the report as JSON")
    .action(async (id: string, o: { reference?: string; json?: boolean }) => {
      const query = new URLSearchParams(o.reference ? { reference: o.reference } : {});
      const res = await api("GET", `/v1/control-lists/${encodeURIComponent(id)}/fairness?${query}`);
      if (!res) return;
      const body = (await res.json()) as { listId: string; report: FairnessReport };
      if (o.json) printJson(body);
      else process.stdout.write(fairnessTable({ kind: "list", id: body.listId }, body.report));
    });

  lists
    .command("export <id>")
    .description("export a list as CSV (formula-like cells escaped) to --out or stdout")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (id: string, o: { out?: string }) => {
      const res = await api("GET", `/v1/control-lists/${encodeURIComponent(id)}?format=csv`, { accept: "text/csv" });
      if (!res?.body) return;
      await pipeline(Readable.fromWeb(res.body as never), o.out ? createWriteStream(o.out) : process.stdout);
    });

  lists
    .command("add <id> <fileId>")
    .description("add a file of the list's unit by hand (a manual pick), saying why")
    .requiredOption("--reason <text>", "why this file should be controlled (at least 10 characters)")
    .action(async (id: string, fileId: string, o: { reason: string }) => {
      const res = await api("POST", `/v1/control-lists/${encodeURIComponent(id)}/items`, { json: { fileId, reason: o.reason } });
      if (res) printJson(await res.json());
    });

  lists
    .command("skip <id> <fileId>")
    .description("skip an item of a list, saying why (its file becomes free for later lists)")
    .requiredOption("--reason <text>", "why it will not be controlled (at least 10 characters)")
    .action(async (id: string, fileId: string, o: { reason: string }) => {
      const res = await api("POST", `/v1/control-lists/${encodeURIComponent(id)}/items/${encodeURIComponent(fileId)}/skip`, { json: { reason: o.reason } });
      if (res) printJson(await res.json());
    });
}
