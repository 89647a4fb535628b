import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../services/db/client.js";
import { listAuditEvents } from "../../../services/db/queries/audit-events.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../../..");
const CTS = join(ROOT, "bin/cts.js");

/** Resolves with the first match of `pattern` in the child's stdout. */
function waitForLine(child: ChildProcess, pattern: RegExp, ms: number, output: string[]): Promise<RegExpMatchArray> {
  return new Promise((resolveMatch, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${ms} ms:\n${output.join("")}`)), ms);
    child.stdout?.on("data", (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = output.join("").match(pattern);
      if (match) {
        clearTimeout(timer);
        resolveMatch(match);
      }
    });
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
  });
}

describe("the CLI while the embedded service runs", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cts-cli-local-"));
  const dataDir = join(cwd, "var");
  const credentialFile = join(dataDir, "cli-credential.json");
  const env = { ...process.env, DATABASE_URL: "", DATA_DIR: dataDir, LOG_LEVEL: "info", NODE_ENV: "test", CTS_API_KEY: "", CTS_URL: "" };
  const cts = (...args: string[]) => run(process.execPath, [CTS, ...args], { cwd: ROOT, env: { ...env, LOG_LEVEL: "silent" } });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("creates a key and verifies the trail through the service, then falls back to the database once it stopped", { timeout: 180_000 }, async () => {
    const output: string[] = [];
    const child = spawn(process.execPath, ["--import", "tsx", "services/main.ts"], {
      cwd: ROOT,
      env: { ...env, PORT: "0", DEMO_FILES: "0", QUEUE_PREFIX: `test-${randomUUID()}`, AUDIT_CHECKPOINT_INTERVAL_S: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exit = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    let url = "";
    try {
      [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)","msg":"api listening"/, 120_000, output);
      // Written once listening, readable by the service's user only.
      expect(statSync(credentialFile).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(credentialFile, "utf8"))).toMatchObject({ pid: child.pid, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });

      // Before this change both refused: "the embedded database … is in use by process …".
      const created = await cts("keys", "create", "--role", "auditor", "--name", "Ann Auditor");
      const key = created.stdout.trim();
      expect(key).toMatch(/^cts_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toContain("shown this once");
      // The key is real: the running service accepts it for an auditor route.
      expect((await fetch(`${url}/v1/audit/verify`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

      const verified = await cts("audit", "verify");
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, checked: expect.any(Number) });

      const listed = JSON.parse((await cts("keys", "list")).stdout) as { prefix: string; name: string }[];
      expect(listed.map((k) => k.name)).toContain("Ann Auditor");

      // A problem from the service is the CLI's error, with a non-zero exit.
      await expect(cts("keys", "revoke", randomUUID())).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("the service answered 404") });

      // The tokens are not API keys: sent by anyone, without the file, they are unknown; and the
      // file's tokens are worthless once the service restarts (they are regenerated per start).
      const tokens = JSON.parse(readFileSync(credentialFile, "utf8")).tokens as { admin: string };
      const forged = `${tokens.admin.slice(0, -4)}AAAA`;
      expect((await fetch(`${url}/v1/api-keys`, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
      expect((await fetch(`${url}/v1/api-keys`, { headers: { authorization: `Bearer ${tokens.admin}` } })).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    }
    // Removed at stop; the CLI then opens the embedded database itself.
    expect(existsSync(credentialFile)).toBe(false);
    expect(JSON.parse((await cts("audit", "verify")).stdout)).toMatchObject({ ok: true });

    // Every door leaves the same trail: the CLI's OS user, as admin for the key and as auditor
    // for the verification through the service (after Ann's own check with her new key).
    const database = await openDatabase({ pgliteDir: join(dataDir, "db"), maxConnections: 1 });
    try {
      const { items } = await listAuditEvents(database.db, { limit: 100 });
      const actor = `cli:${userInfo().username}`;
      expect(items.find((e) => e.action === "api_key.create" && e.details.name === "Ann Auditor")).toMatchObject({ actor, role: "admin", requestId: expect.any(String) });
      const verifies = items.filter((e) => e.action === "audit.verify");
      expect(verifies.map((e) => [e.actor, e.role])).toEqual([
        [expect.stringMatching(/^cts_/), "auditor"],
        [actor, "auditor"],
        [actor, "admin"],
      ]);
    } finally {
      await database.close();
    }
  });

  it("ignores a credential file left by a service that is gone, and refuses one that others can read", async () => {
    writeFileSync(credentialFile, JSON.stringify({ url: "http://127.0.0.1:9", pid: 2 ** 22 + 1, tokens: { admin: "x", auditor: "y" } }), { mode: 0o600 });
    expect(JSON.parse((await cts("audit", "verify")).stdout)).toMatchObject({ ok: true });
    chmodSync(credentialFile, 0o644);
    await expect(cts("audit", "verify")).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("readable by other users") });
  });
});
