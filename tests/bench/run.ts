/**
 * `npm run bench -- <name> [args…]` runs tests/bench/<name>.bench.ts in its own process, so each
 * benchmark measures a fresh runtime and prints its own JSON lines.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";

const [name, ...args] = process.argv.slice(2);
const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""));
const file = resolve(dir, `${name}.bench.ts`);
if (!name || !existsSync(file)) {
  console.error(`usage: npm run bench -- <name>; available: ${available.join(", ")}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", file, ...args], { stdio: "inherit" });
process.exit(result.status ?? 1);
