import { ROLE_NAMES } from "../format.js";
import { WORK } from "../layout.js";
import { type WebContext } from "../session.js";

/** The home page sends each role to its work; without a session, to the sign-in form. */
export function showHome(c: WebContext) {
  const session = c.get("session");
  if (!session) return c.redirect("/app/sign-in", 303);
  const { actor } = session;
  return c.render(
    <>
      <h1>Welcome, {actor.name}</h1>
      <p>
        You are signed in as {ROLE_NAMES[actor.role].toLowerCase()}
        {actor.role === "inspector" ? ` for ${actor.units.join(", ") || "no unit yet"}` : ""}. What would you like to do?
      </p>
      <ul class="cards" aria-label="Your work">
        {WORK[actor.role].map((w) => (
          <li class="card" style="list-style: none">
            <h2>
              <a href={w.href}>{w.label}</a>
            </h2>
            <p>{w.what}</p>
          </li>
        ))}
        <li class="card" style="list-style: none">
          <h2>
            <a href="/docs">API reference</a>
          </h2>
          <p>Every operation of the HTTP API, for scripts and the command line.</p>
        </li>
      </ul>
    </>,
    { title: "Home" },
  );
}
