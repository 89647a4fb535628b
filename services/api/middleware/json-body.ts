import type { MiddlewareHandler } from "hono";
import { DomainError, invalid } from "../../errors.js";
import type { AppBindings } from "../types.js";

/** Deeper JSON is refused before it is parsed: a 10 MB `[[[…]]]` body took 3.4 s in JSON.parse. */
export const MAX_JSON_DEPTH = 64;

/**
 * Checks a JSON request body before any route sees it: its nesting depth is bounded (scanned
 * before parsing), it must parse, and no string in it (key or value) may hold a NUL, which Postgres
 * refuses in text and jsonb. The parsed value is handed on to the route's validator, so the body
 * is parsed once. Runs after the body-size limit.
 */
export function jsonBodyGuard(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    if (!hasJsonBody(c.req.method, c.req.header("content-type"))) return next();
    const text = await c.req.text();
    const depth = nestingDepth(text);
    if (depth > MAX_JSON_DEPTH) {
      throw new DomainError("malformed", `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
        { path: "body", message: `nesting deeper than ${MAX_JSON_DEPTH}` },
      ]);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new DomainError("malformed", `the body is not valid JSON: ${(error as Error).message}`, [
        { path: "body", message: (error as Error).message },
      ]);
    }
    const nul = firstNulPath(value, []);
    if (nul) throw invalid("a text in the body contains a NUL character", [{ path: nul, message: "contains a NUL character" }]);
    c.req.bodyCache.json = Promise.resolve(value);
    return next();
  };
}

const hasJsonBody = (method: string, type: string | undefined) =>
  (method === "POST" || method === "PUT" || method === "PATCH") && /^application\/([\w.-]+\+)?json\b/i.test(type ?? "");

const OPEN_BRACKET = 91;
const OPEN_BRACE = 123;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;
const QUOTE = 34;
const BACKSLASH = 92;

/** The deepest nesting of arrays and objects in JSON text, outside strings; stops past the limit. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return deepest;
}

/** The dotted path of the first key or string value holding U+0000, or null. */
function firstNulPath(value: unknown, path: (string | number)[]): string | null {
  const here = () => (path.length ? path.join(".") : "body");
  if (typeof value === "string") return value.includes("\u0000") ? here() : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNulPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes("\u0000")) return [...path, key.replace(/\u0000/g, "\\u0000")].join(".");
      const found = firstNulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
