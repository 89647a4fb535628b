import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { DomainError, type DomainErrorCode, type FieldError } from "../errors.js";
import type { AppBindings } from "./types.js";

/**
 * RFC 9457 problem details: the single error shape of the API. Only three hooks write it:
 * `validationHook` (zod, 422), `notFoundHandler` (404) and `errorHandler` (everything thrown).
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const STATUS_OF: Record<DomainErrorCode, { status: ContentfulStatusCode; title: string }> = {
  invalid: { status: 422, title: "Invalid request" },
  malformed: { status: 400, title: "Malformed request" },
  unauthenticated: { status: 401, title: "Unauthenticated" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  unavailable: { status: 503, title: "Service unavailable" },
};

const typeUri = (slug: string) => `https://cts.example/problems/${slug}`;

export function problemResponse(c: Context<AppBindings>, problem: Problem): Response {
  const body: Problem = { ...problem, requestId: c.get("requestId") };
  // c.body, not a bare Response: the headers middleware set earlier (X-Request-Id, the secure
  // headers) stay on the error answer too.
  return c.body(JSON.stringify(body), problem.status as ContentfulStatusCode, { "content-type": "application/problem+json" });
}

/** Zod issues as problem `errors[]`: one entry per bad field, path in dotted form. */
export function zodFieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(root)", message: issue.message }));
}

/** @hono/zod-openapi defaultHook: a request that fails its schema gets a 422 problem. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  c: Context<AppBindings>,
) {
  if (result.success) return;
  return problemResponse(c, {
    type: typeUri("validation"),
    title: "Invalid request",
    status: 422,
    detail: `The request ${result.target ?? "input"} does not match its schema`,
    errors: zodFieldErrors(result.error),
  });
}

export function notFoundHandler(c: Context<AppBindings>) {
  return problemResponse(c, {
    type: typeUri("not-found"),
    title: "Not found",
    status: 404,
    detail: `No route for ${c.req.method} ${c.req.path}`,
  });
}

/** True when the error only says that the client closed the connection (an aborted upload). */
export function clientWentAway(error: unknown, c: Context<AppBindings>): boolean {
  const e = error as NodeJS.ErrnoException;
  return c.req.raw.signal?.aborted === true || e?.code === "ECONNRESET" || e?.message === "aborted" || e?.code === "ERR_STREAM_PREMATURE_CLOSE";
}

/** Maps thrown errors to problems; unexpected ones are logged with their stack and sent as a bare 500. */
export function errorHandler(error: Error, c: Context<AppBindings>) {
  if (error instanceof DomainError) {
    const { status, title } = STATUS_OF[error.code];
    return problemResponse(c, {
      type: typeUri(error.code.replace(/_/g, "-")),
      title,
      status,
      detail: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
      ...error.extra,
    });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    return problemResponse(c, {
      type: typeUri(`http-${status}`),
      title: error.message || "Request refused",
      status,
      detail: error.message || `HTTP ${status}`,
    });
  }
  if (clientWentAway(error, c)) {
    // Nobody reads this answer; the request logger records the request as disconnected.
    return problemResponse(c, { type: typeUri("client-closed"), title: "Client closed the request", status: 400, detail: "The client closed the connection before the request was complete." });
  }
  c.get("logger")?.error({ err: error }, "unhandled error");
  return problemResponse(c, {
    type: typeUri("internal"),
    title: "Internal server error",
    status: 500,
    detail: "An unexpected error occurred; quote the requestId to the operators.",
  });
}
