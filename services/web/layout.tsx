import type { Child } from "hono/jsx";
import { jsxRenderer, useRequestContext } from "hono/jsx-renderer";
import type { Actor } from "../auth/actor.js";
import type { Role } from "../db/schema/index.js";
import { ROLE_NAMES } from "./format.js";
import { CSRF_FIELD, CSRF_HEADER, type WebBindings } from "./session.js";

declare module "hono" {
  interface ContextRenderer {
    (content: string | Promise<string>, props: { title: string }): Response | Promise<Response>;
  }
}

/** Where each role works: the header's navigation and the home page's choices. */
export const WORK: Record<Role, { href: string; label: string; what: string }[]> = {
  inspector: [{ href: "/app/work", label: "My work", what: "Your units' open control lists: pull a new list, record what each control found." }],
  data_officer: [
    { href: "/app/models", label: "Models", what: "Train a model, follow its training, read its verdict and approve another officer's model." },
    { href: "/app/imports", label: "Imports", what: "Upload files and past controls as CSV; see each refused line; the feature schema." },
    { href: "/app/runs", label: "Scoring runs", what: "Score every file with the active model and follow the run." },
    { href: "/app/units", label: "Units", what: "The units, their files, open lists and last scoring run." },
  ],
  auditor: [
    { href: "/app/audit", label: "Audit trail", what: "Every change and every list pulled, with filters; verify the chain or a scoring run." },
    { href: "/app/lists", label: "Control lists", what: "Every unit's lists, with how each file was picked." },
    { href: "/app/models", label: "Models", what: "Every model's verdict, curves and approval." },
  ],
  admin: [
    { href: "/app/admin/keys", label: "API keys", what: "Create keys with a role and units, revoke them." },
    { href: "/app/units", label: "Units", what: "The units, their files, open lists and last scoring run." },
    { href: "/app/lists", label: "Control lists", what: "Every unit's lists and their progress." },
  ],
};

function Header({ actor, csrf }: { actor: Actor | null; csrf: string | null }) {
  return (
    <header class="top">
      <a class="brand" href="/">
        Control Targeting
      </a>
      {actor && (
        <nav aria-label="Main">
          <ul>
            {WORK[actor.role].map((w) => (
              <li>
                <a href={w.href}>{w.label}</a>
              </li>
            ))}
            <li>
              <a href="/docs">API</a>
            </li>
          </ul>
        </nav>
      )}
      {actor && csrf && (
        <div class="who">
          <span data-testid="who">
            Signed in as <strong>{actor.name}</strong> ({actor.id}) · {ROLE_NAMES[actor.role]}
            {actor.role === "inspector" ? ` · units: ${actor.units.join(", ") || "none"}` : " · all units"}
          </span>
          <form method="post" action="/app/sign-out">
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            <button type="submit" class="link">
              Sign out
            </button>
          </form>
        </div>
      )}
    </header>
  );
}

/** The page frame: header, main landmark, the CSS and htmx (both served from this process). */
export const layout = jsxRenderer<WebBindings>(({ children, title }: { children?: Child; title: string }) => {
  const c = useRequestContext<WebBindings>();
  const session = c.get("session") ?? null;
  const hxHeaders = session ? JSON.stringify({ [CSRF_HEADER]: session.csrfToken }) : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* htmx must not inject its own <style>: every style comes from app.css. */}
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}' />
        <title>{`${title} · Control Targeting`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/htmx.min.js" defer></script>
      </head>
      <body hx-headers={hxHeaders}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <Header actor={session?.actor ?? null} csrf={session?.csrfToken ?? null} />
        <main id="main">{children}</main>
      </body>
    </html>
  );
});
