import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Actor } from "../auth/actor.js";
import { DomainError } from "../errors.js";
import { touchApiKey } from "../db/queries/api-keys.js";
import { findWebSession, type WebSession } from "../db/queries/web-sessions.js";
import type { AppBindings } from "../api/types.js";

/**
 * Sessions and CSRF for the web app (docs/web-app.md). The cookie carries a random id only; the
 * session (its key, expiry and CSRF token) is a row in Postgres, so signing out or revoking the
 * key ends it everywhere at once. The actor comes from the key on every request, as for the API.
 */
export const SESSION_COOKIE = "cts_session";
/** A sign-in form's token (double submit): the form can only be posted from a page we served. */
export const SIGN_IN_COOKIE = "cts_sign_in";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

export type SignedIn = WebSession & { id: string };
export interface WebBindings {
  Variables: AppBindings["Variables"] & { session: SignedIn | null };
}
export type WebContext = Context<WebBindings>;

/** Secure cookies when the browser talks TLS, directly or through a proxy that says so. */
export const behindTls = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";

const cookieOptions = (c: Context, maxAgeS: number, path = "/") =>
  ({ path, httpOnly: true, sameSite: "Strict", secure: behindTls(c), maxAge: Math.round(maxAgeS) }) as const;

export function setSessionCookie(c: Context, id: string, expiresAt: Date) {
  setCookie(c, SESSION_COOKIE, id, cookieOptions(c, (expiresAt.getTime() - Date.now()) / 1000));
}
export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: "/", secure: behindTls(c) });

/** A fresh token for the sign-in form, also set as its cookie (one hour). */
export function issueSignInToken(c: Context): string {
  const token = randomBytes(24).toString("base64url");
  setCookie(c, SIGN_IN_COOKIE, token, cookieOptions(c, 3600, "/app/sign-in"));
  return token;
}
export const signInTokenOk = (c: Context, sent: unknown) => sameSecret(getCookie(c, SIGN_IN_COOKIE), sent);

/** Loads the session of the cookie, if any, and puts its actor on the context. */
export function loadSession(): MiddlewareHandler<WebBindings> {
  return async (c, next) => {
    c.set("session", null);
    const id = getCookie(c, SESSION_COOKIE);
    const session = id ? await findWebSession(c.get("deps").database.db, id) : null;
    if (id && !session) clearSessionCookie(c);
    if (session && id) {
      // The keys page's "last used" counts the browser too (at most one write a minute per key).
      if (session.actor.keyId) await touchApiKey(c.get("deps").database.db, session.actor.keyId);
      c.set("session", { ...session, id });
      c.set("actor", session.actor);
      c.set("logger", c.get("logger").child({ actor: session.actor.id, role: session.actor.role, via: "web" }));
    }
    await next();
  };
}

/** Pages behind sign-in: without a live session, back to the sign-in form (htmx: a full redirect). */
export function requireSession(): MiddlewareHandler<WebBindings> {
  return async (c, next) => {
    if (c.get("session")) return next();
    const target = c.req.method === "GET" ? `/app/sign-in?next=${encodeURIComponent(c.req.path)}` : "/app/sign-in";
    if (c.req.header("hx-request")) {
      c.header("HX-Redirect", target);
      return c.body(null, 401);
    }
    return c.redirect(target, 303);
  };
}

/**
 * Every state-changing request carries the session's CSRF token, in the form (`_csrf`) or, from
 * htmx, in a header; otherwise it is refused before its handler runs. The Origin check (hono/csrf)
 * runs first, but it trusts anything on the same origin; the token ties a post to a page this
 * session was served.
 */
export function requireCsrfToken(): MiddlewareHandler<WebBindings> {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const session = c.get("session");
    const type = c.req.header("content-type") ?? "";
    const form = type.includes("form") ? await c.req.parseBody() : {};
    const sent = c.req.header(CSRF_HEADER) ?? form[CSRF_FIELD];
    if (!session || !sameSecret(session.csrfToken, sent)) {
      throw new DomainError("forbidden", "This form is out of date or did not come from this app: reload the page and try again.");
    }
    await next();
  };
}

function sameSecret(expected: string | undefined, sent: unknown): boolean {
  if (!expected || typeof sent !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const actorOf = (c: WebContext): Actor => {
  const session = c.get("session");
  if (!session) throw new Error("page reached without a session (requireSession missing)");
  return session.actor;
};
