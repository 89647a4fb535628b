import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Collects a child's stdout and resolves when a line matches. */
function waitForLine(child: ChildProcess, pattern: RegExp, ms: number, output: string[]): Promise<RegExpMatchArray> {
  return new Promise((resolveMatch, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${ms} ms:\n${output.join("")}`)), ms);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = output.join("").match(pattern);
      if (match) {
        clearTimeout(timer);
        resolveMatch(match);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
  });
}

describe("npm start in an empty directory (embedded PGlite)", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cts-start-"));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  // How fast the first start is belongs to the benchmarks; here it must only come up, within a
  // bound generous enough for a busy CI machine (the default demo is 100,000 files).
  it("answers /readyz, prints an admin key once, and drains and exits 0 on SIGTERM to npm's pid", { timeout: 180_000 }, async () => {
    let url = "";
    const output: string[] = [];
    // `npm start` itself, with an empty data directory; the signal goes to the pid spawn returns
    // (npm's): npm passes it to the service, which `exec` made its direct child.
    const child = spawn("npm", ["start", "--silent"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "", DATA_DIR: join(cwd, "var"), PORT: "0", LOG_LEVEL: "info", NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exit = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    try {
      [, url] = await waitForLine(child, /"url":"(http:\/\/[^"]+)","msg":"api listening"/, 120_000, output);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { checks: { postgres: { driver: string }; tfjs: { backend: string } } };
      expect(body.checks.postgres.driver).toBe("pglite");
      expect(["tensorflow", "wasm", "cpu"]).toContain(body.checks.tfjs.backend);
      const key = output.join("").match(/\n  (cts_[0-9a-f]{8}_\S+)\n/)?.[1];
      expect(key).toBeDefined();
      const keys = await fetch(`${url}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
      expect(keys.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    }
    expect(output.join("")).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect(output.join("")).toContain('"msg":"stopped"');
    // Nothing is left serving.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
