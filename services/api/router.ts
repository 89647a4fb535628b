import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "./problem.js";
import type { AppBindings } from "./types.js";

/** A sub-app whose validation failures become 422 problems (STYLE.md §2, §3). */
export function createRouter() {
  return new OpenAPIHono<AppBindings>({ strict: false, defaultHook: validationHook });
}
