import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { LOCAL_ROLES, type LocalTokens } from "../auth/local-credential.js";

/**
 * `$DATA_DIR/cli-credential.json`: where the running service tells the CLI on the same machine how
 * to reach it ({url, pid, tokens}). Mode 0600, so only the service's OS user reads it; written once
 * the API listens, removed at stop. A file left by a killed service names a dead pid and is ignored.
 */
export const localCredentialPath = (dataDir: string) => join(dataDir, "cli-credential.json");

const LocalCredential = z.object({
  url: z.string().url(),
  pid: z.number().int().positive(),
  tokens: z.object(Object.fromEntries(LOCAL_ROLES.map((r) => [r, z.string()])) as Record<(typeof LOCAL_ROLES)[number], z.ZodString>),
});
export type LocalCredential = z.infer<typeof LocalCredential>;

/** Writes the file for this process; returns the remover (which leaves a newer process's file alone). */
export function writeLocalCredential(dataDir: string, url: string, tokens: LocalTokens): () => void {
  const path = localCredentialPath(dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Removed first and created exclusively: `mode` applies only to a new file, so an existing file
  // with wider permissions must not be reused.
  rmSync(path, { force: true });
  writeFileSync(path, JSON.stringify({ url, pid: process.pid, tokens } satisfies LocalCredential), { mode: 0o600, flag: "wx" });
  return () => {
    if (readLocalCredentialFile(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

function readLocalCredentialFile(path: string): LocalCredential | null {
  try {
    return LocalCredential.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return null;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * The running service's credential, or null when no service runs here (no file, or its process is
 * gone). Refuses a file that others than its owner may read: someone else could have read the tokens.
 */
export function readLocalCredential(dataDir: string): LocalCredential | null {
  const path = localCredentialPath(dataDir);
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return null;
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by other users (mode ${(mode & 0o777).toString(8)}): remove it and restart the service`);
  }
  const credential = readLocalCredentialFile(path);
  return credential && alive(credential.pid) ? credential : null;
}
