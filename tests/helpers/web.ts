import type { TestContext } from "./app.js";

/** What a browser sends as Origin for a page of the in-process app (app.request's base URL). */
export const ORIGIN = "http://localhost";

/** The value of a hidden `_csrf` input in a page (the sign-in form's, or the session's). */
export function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF token in the page");
  return m[1];
}

/** `name=value` of a Set-Cookie header for `name`, and the whole header line. */
export function cookieFrom(res: Response, name: string): { pair: string; line: string } | null {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  return line ? { pair: line.split(";")[0], line } : null;
}

export interface WebClient {
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/** A browser-like client of the in-process app: signs in with `key` through the form, then keeps the cookie. */
export async function webSignIn(ctx: TestContext, key: string, headers: Record<string, string> = {}): Promise<WebClient> {
  const form = await ctx.app.request("/app/sign-in", { headers });
  const pre = cookieFrom(form, "cts_sign_in");
  if (!pre) throw new Error("the sign-in form set no cookie");
  const res = await ctx.app.request("/app/sign-in", {
    method: "POST",
    headers: { origin: ORIGIN, ...headers, cookie: pre.pair, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrfIn(await form.text()), key, next: "/" }),
  });
  const session = cookieFrom(res, "cts_session");
  if (res.status !== 303 || !session) throw new Error(`sign-in failed: ${res.status}`);
  const client: WebClient = {
    cookie: session.pair,
    csrf: "",
    get: (path, h = {}) => Promise.resolve(ctx.app.request(path, { headers: { ...h, cookie: client.cookie } })),
    post: (path, body, h = {}) =>
      Promise.resolve(
        ctx.app.request(path, {
          method: "POST",
          headers: { origin: ORIGIN, ...h, cookie: client.cookie, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(body),
        }),
      ),
  };
  client.csrf = csrfIn(await (await client.get("/")).text());
  return client;
}
