import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("../../../models/", import.meta.url));
const sources = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ file: f, text: readFileSync(dir + f, "utf8") }));

describe("models/ purity", () => {
  it("imports no I/O, framework, config or logger module", () => {
    const forbidden = /from\s+["'](hono|@hono\/[^"']*|drizzle-orm[^"']*|bullmq|ioredis|pino|postgres|node:fs[^"']*|fs|node:child_process|\.\.\/services\/[^"']*|\.\.\/config[^"']*)["']/;
    for (const { file, text } of sources) expect(text, file).not.toMatch(forbidden);
  });

  it("uses no Math.random and logs nothing (diagnostics are returned)", () => {
    for (const { file, text } of sources) {
      expect(text, file).not.toMatch(/Math\.random\(/);
      expect(text, file).not.toMatch(/console\.(log|warn|error|info)/);
    }
  });

  it("keeps files small (split near 300 lines)", () => {
    for (const { file, text } of sources) expect(text.split("\n").length, file).toBeLessThan(320);
  });
});
