import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import postgres from "postgres";

/**
 * A Postgres cluster of its own (initdb in a temp dir, its own port), to be crashed by a test.
 * Postgres refuses to run as root, so when the tests run as root (CI) the cluster is initialised and
 * started as the `postgres` user. `crash()` SIGKILLs the postmaster and every one of its children
 * at once (each backend leads a process group of its own, so they are signalled one by one), as a
 * power cut would leave them: whatever WAL was only in shared memory is gone, whatever was flushed
 * survives.
 */
export interface ThrowawayCluster {
  url(database?: string): string;
  start(): Promise<void>;
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed Postgres's binaries, or null when none is installed (Debian layout). */
export function postgresBinDir(): string | null {
  try {
    const versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
    return versions.length ? `/usr/lib/postgresql/${versions[0]}/bin` : null;
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** Spawn options that run a command as the `postgres` user when we are root. */
function postgresUser(): { uid?: number; gid?: number } {
  if (!asRoot) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** initdb into a fresh temp dir; `settings` become `-c name=value` of every start. */
export async function createThrowawayCluster(settings: Record<string, string>): Promise<ThrowawayCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql");
  const dir = mkdtempSync(join(tmpdir(), "cts-crash-"));
  const user = postgresUser();
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid ?? user.uid);
  const data = join(dir, "data");
  execFileSync(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], { ...user, stdio: "ignore" });
  const port = await freePort();
  let server: ChildProcess | null = null;

  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const start = async () => {
    const args = ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"];
    for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
    const log = openSync(join(dir, "server.log"), "a");
    server = spawn(`${bin}/postgres`, args, { ...user, stdio: ["ignore", log, log] });
    closeSync(log);
    for (let i = 0; i < 300; i++) {
      const probe = postgres(url(), { max: 1, onnotice: () => {}, connect_timeout: 1 });
      try {
        await probe`select 1`;
        return;
      } catch {
        await delay(100);
      } finally {
        await probe.end({ timeout: 1 });
      }
    }
    throw new Error(`the throwaway cluster on port ${port} did not start:\n${readFileSync(join(dir, "server.log"), "utf8").slice(-2000)}`);
  };
  /** SIGKILL to the postmaster and all its children in one go; resolves once all are gone. */
  const killAll = async () => {
    const postmaster = server;
    if (!postmaster?.pid || postmaster.exitCode !== null || postmaster.signalCode !== null) return;
    const exited = new Promise((resolve) => postmaster.once("exit", resolve));
    const children = (() => {
      try {
        return execFileSync("pgrep", ["-P", String(postmaster.pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
      } catch {
        return [];
      }
    })();
    for (const pid of [postmaster.pid, ...children]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await exited;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && children.some(alive); i++) await delay(50);
    server = null;
  };
  return {
    url,
    start,
    crash: killAll,
    stop: async () => {
      await killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
