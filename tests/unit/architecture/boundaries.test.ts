import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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

/** One source file's relative imports (static, re-exports and dynamic; `import type` included). */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

/** The import graph of the app's sources: file -> files it imports (paths relative to the root). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of appSources) {
    const targets = [...readFileSync(file, "utf8").matchAll(IMPORT)].flatMap((m) => {
      const target = resolve(dirname(file), m[1] ?? m[2]).replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts");
      return existsSync(target) ? [relative(ROOT, target)] : [];
    });
    graph.set(relative(ROOT, file), [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one file (Tarjan): each is an import cycle. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe("import structure", () => {
  const graph = importGraph();

  it("finds cycles (the detector itself, on a made-up graph)", () => {
    const made = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
      ["e", ["e"]],
    ]);
    expect(importCycles(made)).toEqual([["a", "b", "c"], ["e"]]);
  });

  it("sees the real imports (type-only ones included)", () => {
    expect(graph.get("services/worker/worker.ts")).toContain("services/worker/processors/train-model.ts");
    expect(graph.get("services/auth/actor.ts")).toContain("services/db/actor.ts");
    expect(graph.get("services/api/types.ts")).toContain("services/api/metrics.ts");
  });

  it("has no import cycle (worker/cpu-tasks with tasks/*, worker.ts with its processors, …)", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("storage (services/db) imports nothing from auth/, lists/, api/, worker/, cli/ or runtime/", () => {
    const arrows = [...graph]
      .filter(([file]) => file.startsWith("services/db/"))
      .flatMap(([file, targets]) => targets.filter((t) => /^services\/(auth|lists|api|worker|cli|runtime)\//.test(t)).map((t) => `${file} -> ${t}`));
    expect(arrows).toEqual([]);
  });
});
