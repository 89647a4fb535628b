import { findActiveKey } from "../../db/queries/api-keys.js";
import { appendAuditEventAlone } from "../../db/queries/audit-events.js";
import { createWebSession } from "../../db/queries/web-sessions.js";
import { fmtDateTime } from "../format.js";
import { ANONYMOUS, clientAddress, countRefusal, signInThrottle, type Throttle } from "../sign-in-limit.js";
import {
  CSRF_FIELD,
  clearSessionCookie,
  issueSignInToken,
  setSessionCookie,
  signInTokenOk,
  type WebContext,
} from "../session.js";
import { endWebSession } from "../../db/queries/web-sessions.js";

/** Only local paths: a `next` pointing elsewhere would make the form an open redirect. */
const safeNext = (next: unknown) => (typeof next === "string" && /^\/(app\/[\w\-/]*)?$/.test(next) ? next : "/");

function SignInForm({ token, next, error }: { token: string; next: string; error?: string }) {
  return (
    <section class="card" aria-labelledby="sign-in-title" style="max-width: 32rem">
      <h1 id="sign-in-title">Sign in</h1>
      <p>Paste the API key you were given. It is checked once; then this browser keeps a session until you sign out.</p>
      <form method="post" action="/app/sign-in">
        <input type="hidden" name={CSRF_FIELD} value={token} />
        <input type="hidden" name="next" value={next} />
        <label for="key">API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="off"
          required
          style="width: 100%"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "key-error" : undefined}
        />
        {error && (
          <p id="key-error" class="error" role="alert">
            {error}
          </p>
        )}
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </section>
  );
}

/** The 429 page: what happened, for how long, and that the key itself is not blamed. */
function Throttled({ t, next }: { t: Throttle; next: string }) {
  const minutes = Math.ceil(t.retryAfterSeconds / 60);
  return (
    <section class="card" aria-labelledby="throttled-title" style="max-width: 32rem" data-testid="throttled">
      <h1 id="throttled-title">Too many refused sign-ins</h1>
      <p>
        {t.by === "address" ? "Sign-ins from this network address" : "Sign-ins with this key"} were refused too often, so they are paused for a while to stop keys being
        guessed. Your key was not checked this time.
      </p>
      <p>
        Please try again in {minutes === 1 ? "a minute" : `${minutes} minutes`} (after {fmtDateTime(new Date(Date.now() + t.retryAfterSeconds * 1000))}). If you are
        sure of your key and this goes on, ask your administrator.
      </p>
      <p>
        <a href={`/app/sign-in?next=${encodeURIComponent(next)}`}>Back to sign in</a>
      </p>
    </section>
  );
}

export function showSignIn(c: WebContext) {
  if (c.get("session")) return c.redirect("/", 303);
  return c.render(<SignInForm token={issueSignInToken(c)} next={safeNext(c.req.query("next"))} />, { title: "Sign in" });
}

const KEY_PREFIX = /^(cts_[0-9a-f]{8})_/;

/**
 * Key → session. A refused sign-in is recorded (with the key's prefix, never the key, and the
 * client address) and answered 401; too many from one address or for one prefix, 429 (sign-in-limit.ts).
 */
export async function signIn(c: WebContext) {
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  if (!signInTokenOk(c, form[CSRF_FIELD])) {
    c.status(403);
    return c.render(<SignInForm token={issueSignInToken(c)} next={next} error="The form had expired. Please paste your key again." />, {
      title: "Sign in",
    });
  }
  const { database, config } = c.get("deps");
  const typed = typeof form.key === "string" ? form.key.trim() : "";
  const prefix = KEY_PREFIX.exec(typed)?.[1] ?? null;
  const throttle = await signInThrottle(c, prefix);
  if (throttle) {
    c.header("retry-after", String(throttle.retryAfterSeconds));
    c.status(429);
    return c.render(<Throttled t={throttle} next={next} />, { title: "Too many refused sign-ins" });
  }
  const key = typed ? await findActiveKey(database.db, typed) : null;
  if (!key) {
    await countRefusal(c, prefix);
    await appendAuditEventAlone(database, {
      actor: ANONYMOUS,
      action: "web.sign_in.refused",
      details: { prefix, address: clientAddress(c), reason: typed ? "unknown or revoked key" : "no key" },
      requestId: c.get("requestId"),
    });
    c.status(401);
    return c.render(<SignInForm token={issueSignInToken(c)} next={next} error="That key is unknown or has been revoked." />, {
      title: "Sign in",
    });
  }
  const actor = { keyId: key.id, id: key.prefix, name: key.name, role: key.role, units: key.units };
  const session = await createWebSession(database.db, actor, config.WEB_SESSION_HOURS * 3_600_000, c.get("requestId"));
  setSessionCookie(c, session.id, session.expiresAt);
  return c.redirect(next, 303);
}

export async function signOut(c: WebContext) {
  const session = c.get("session");
  if (session) await endWebSession(c.get("deps").database.db, session.id, session.actor, c.get("requestId"));
  clearSessionCookie(c);
  return c.redirect("/app/sign-in", 303);
}
