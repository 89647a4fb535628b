#!/usr/bin/env node
// The `cts` command: the built CLI when present (Docker image), else the TypeScript sources via tsx.
import { existsSync } from "node:fs";

const built = new URL("../dist/services/cli/index.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../services/cli/index.ts", import.meta.url).href);
}
