import { resolve } from "node:path";
import type { LocalRole } from "../auth/local-credential.js";
import { loadConfig } from "../config.js";
import { readLocalCredential } from "../runtime/local-credential-file.js";
import { fetchService } from "./commands/api-client.js";

/** The service running on this machine, called with the local operator's credential. */
export interface LocalService {
  url: string;
  call(role: LocalRole, method: string, path: string, json?: unknown): Promise<unknown>;
}

/**
 * The running service of this $DATA_DIR, or null when none runs (then the CLI opens the database
 * itself). Server-side commands (keys, audit) go through it first: the embedded database belongs to
 * the service's process, and with Postgres it keeps one door for every change.
 */
export function localService(): LocalService | null {
  const credential = readLocalCredential(resolve(loadConfig().DATA_DIR));
  if (!credential) return null;
  return {
    url: credential.url,
    async call(role, method, path, json) {
      const headers: Record<string, string> = { authorization: `Bearer ${credential.tokens[role]}` };
      if (json !== undefined) headers["content-type"] = "application/json";
      const res = await fetchService(new URL(path, credential.url), { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
      const text = await res.text();
      if (!res.ok) throw new Error(problemMessage(res.status, text));
      return text ? JSON.parse(text) : null;
    },
  };
}

/** A problem answer in one line for stderr: its detail and field errors (the body if not a problem). */
function problemMessage(status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: string; errors?: { path: string; message: string }[] };
    const fields = problem.errors?.map((e) => `${e.path}: ${e.message}`).join("; ");
    return `the service answered ${status}: ${problem.detail ?? text}${fields ? ` (${fields})` : ""}`;
  } catch {
    return `the service answered ${status}: ${text}`;
  }
}
