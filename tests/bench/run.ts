/**
 * `npm run bench -- <name> [args…]` runs tests/bench/<name>.bench.ts and then every
 * tests/bench/<name>/*.bench.ts, each in its own process, so each benchmark measures a fresh
 * runtime and prints its own JSON lines. `npm run bench` alone runs every benchmark in turn
 * (about 15 minutes on the 2-core machine).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";

const [name, ...args] = process.argv.slice(2);
const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""));

/** The benchmark files of one name: <name>.bench.ts, then <name>/*.bench.ts. */
function benchFiles(bench: string): string[] {
  const file = resolve(dir, `${bench}.bench.ts`);
  const folder = resolve(dir, bench);
  return [
    ...(existsSync(file) ? [file] : []),
    ...(existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith(".bench.ts")).sort().map((f) => resolve(folder, f)) : []),
  ];
}

const files = (name ? [name] : available).flatMap(benchFiles);
if (files.length === 0) {
  console.error(`usage: npm run bench [-- <name>]; available: ${available.join(", ")}`);
  process.exit(2);
}
let status = 0;
for (const f of files) {
  const result = spawnSync(process.execPath, ["--import", "tsx", f, ...args], { stdio: "inherit" });
  if (result.status !== 0) status = result.status ?? 1;
}
process.exit(status);
