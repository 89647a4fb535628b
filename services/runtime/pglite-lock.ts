import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { StartupError } from "./redis.js";

/**
 * PGlite is one process's database: two processes on one data directory corrupt it (DESIGN.md
 * pitfalls). A pid file beside the directory makes a second process (another `npm start`, or a
 * CLI command that opens the database) refuse to start instead.
 */
const lockPath = (pgliteDir: string) => join(pgliteDir, "..", `${pgliteDir.split(/[\\/]/).pop()}.pid`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function holderOf(pgliteDir: string): number | null {
  try {
    const pid = Number(readFileSync(lockPath(pgliteDir), "utf8").trim());
    return pid && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the directory for this process; returns the release function. */
export function lockPgliteDir(pgliteDir: string): () => void {
  const holder = holderOf(pgliteDir);
  if (holder) {
    throw new StartupError(
      `the embedded database ${pgliteDir} is in use by process ${holder}; stop it first, or use a Postgres server (DATABASE_URL)`,
    );
  }
  mkdirSync(dirname(lockPath(pgliteDir)), { recursive: true });
  writeFileSync(lockPath(pgliteDir), String(process.pid));
  return () => rmSync(lockPath(pgliteDir), { force: true });
}
