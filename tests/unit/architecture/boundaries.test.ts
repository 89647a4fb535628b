import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** What a linter would enforce (STYLE.md §4, §7), checked over the source tree. */
const ROOT = resolve(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

const appSources = ["services", "jobs", "models", "data"].flatMap((d) => sources(join(ROOT, d)));

describe("source boundaries", () => {
  it("only services/config.ts reads process.env", () => {
    const readers = appSources
      .filter((file) => /process\.env\b/.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(readers).toEqual(["services/config.ts"]);
  });

  it("jobs/ imports nothing from services/ (the seam depends on no side)", () => {
    const offenders = sources(join(ROOT, "jobs")).filter((file) => /from "\.\.\/services\//.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
