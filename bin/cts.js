#!/usr/bin/env node
// The `cts` command. In a checkout it runs the TypeScript sources through tsx, so it can never run a
// stale build; the Docker image ships no sources, only dist/, and runs the built CLI.
import { existsSync } from "node:fs";

const source = new URL("../services/cli/index.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/services/cli/index.js", import.meta.url).href);
}
