import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type DomainErrorCode } from "../../errors.js";
import type { WebContext } from "../session.js";

const PAGES: Partial<Record<DomainErrorCode, { status: ContentfulStatusCode; title: string }>> = {
  forbidden: { status: 403, title: "Not allowed" },
  not_found: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "That cannot be done now" },
  invalid: { status: 422, title: "Please check what you entered" },
  unavailable: { status: 503, title: "Not available" },
  payload_too_large: { status: 413, title: "Too large" },
};

/** A page that says what went wrong, never a stack trace (those go to the log, with the request id). */
export function errorPage(c: WebContext, status: ContentfulStatusCode, title: string, detail: string) {
  c.status(status);
  return c.render(
    <section aria-labelledby="error-title" data-status={status}>
      <h1 id="error-title">{title}</h1>
      <p>{detail}</p>
      <p class="muted">
        Reference: {c.get("requestId")} · <a href="/">Home</a>
      </p>
    </section>,
    { title },
  );
}

export function webErrorHandler(error: Error, c: WebContext) {
  if (error instanceof DomainError) {
    if (error.code === "unauthenticated") return c.redirect("/app/sign-in", 303);
    const page = PAGES[error.code] ?? { status: 400 as const, title: "Request refused" };
    if (page.status === 403) c.get("logger").warn({ path: c.req.path, reason: error.message }, "web page refused");
    return errorPage(c, page.status, page.title, error.message);
  }
  // hono/csrf: a form posted from another origin (or without an Origin header).
  if (error instanceof HTTPException && error.status === 403) {
    c.get("logger").warn({ path: c.req.path }, "web form from another origin refused");
    return errorPage(c, 403, "Not allowed", "This form was not sent from a page of this app.");
  }
  c.get("logger").error({ err: error, path: c.req.path }, "web page failed");
  return errorPage(c, 500, "Something went wrong", "The page could not be shown. Quote the reference below to the service's operators.");
}
