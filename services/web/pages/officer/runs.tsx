import { z } from "@hono/zod-openapi";
import { startScoringRun } from "../../../api/routes/scoring-runs/scoring-runs.handlers.js";
import { appendAuditEvent } from "../../../db/queries/audit-events.js";
import { getScoringRun, listScoringRuns } from "../../../db/queries/scoring-runs.js";
import { DomainError, notFound } from "../../../errors.js";
import { fmtDateTime, fmtInt, fmtNumber } from "../../format.js";
import { formText } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { Drift } from "./drift.js";
import { scrollBox } from "../../scroll-box.js";
import { readRunFairness } from "../../../db/queries/fairness.js";
import { RunFairnessSection, runCapacity } from "./selection-fairness.js";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** Scoring runs, newest first (a recorded read, as in the API), and a button to score every file. */
export async function showRuns(c: WebContext, notice?: string) {
  const actor = actorOf(c);
  const { db } = c.get("deps").database;
  const page = await listScoringRuns(db, { limit: 50 });
  await appendAuditEvent(db, { actor, action: "scoring_run.list", details: { limit: 50, returned: page.items.length, via: "web" }, requestId: c.get("requestId") });
  if (notice) c.status(409);
  return c.render(
    <>
      <h1>Scoring runs</h1>
      {actor.role === "data_officer" && (
        <section class="card" aria-labelledby="new-run-title">
          <h2 id="new-run-title">Score the files</h2>
          {notice && (
            <p class="notice bad" role="alert">
              {notice}
            </p>
          )}
          <form method="post" action="/app/runs" class="row">
            <input type="hidden" name={CSRF_FIELD} value={c.get("session")?.csrfToken ?? ""} />
            <label>
              <input type="checkbox" name="shadow" value="true" /> Shadow run (kept, never feeds lists)
            </label>
            <button type="submit">Score every file with the active model</button>
          </form>
        </section>
      )}
      <div {...scrollBox({ label: "Scoring runs" })}>
        <table aria-label="Scoring runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Files</th>
              <th scope="col">Requested by</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((r) => (
              <tr>
                <td>
                  <a href={`/app/runs/${r.id}`}>{fmtDateTime(r.createdAt)}</a>
                  {r.shadow && " (shadow)"}
                </td>
                <td>
                  <span class={`status status-${r.status}`}>{r.status}</span>
                </td>
                <td class="num">{fmtInt(r.totalFiles)}</td>
                <td>{r.requestedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
    { title: "Scoring runs" },
  );
}

export async function startRun(c: WebContext) {
  const form = await c.req.parseBody();
  try {
    const run = await startScoringRun(c.get("deps"), { scope: { all: true }, shadow: formText(form, "shadow") === "true" }, actorOf(c), c.get("requestId"));
    return c.redirect(`/app/runs/${run.id}`, 303);
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return showRuns(c, error.message);
    throw error;
  }
}

async function runOf(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!z.string().uuid().safeParse(id).success) throw notFound(`scoring run ${id}`);
  return getScoringRun(c.get("deps").database.db, id);
}

/** Live progress of a run: htmx re-reads it every second until the run is finished. */
function RunProgress({ r }: { r: Awaited<ReturnType<typeof getScoringRun>> }) {
  const { run, progress } = r;
  const live = !TERMINAL.has(run.status);
  return (
    <section id="run-progress" class="card" aria-live="polite" hx-get={live ? `/app/runs/${run.id}/progress` : undefined} hx-trigger={live ? "every 1s" : undefined} hx-swap="outerHTML">
      <h2>Progress</h2>
      <progress max={run.totalChunks || 1} value={progress.chunksDone} aria-label="Chunks scored"></progress>{" "}
      <strong data-testid="run-status">{run.status}</strong>: {fmtInt(progress.filesDone)} of {fmtInt(run.totalFiles)} files, {fmtInt(progress.chunksDone)} of{" "}
      {fmtInt(run.totalChunks)} chunks
      {progress.filesPerSecond > 0 && ` · ${fmtNumber(Math.round(progress.filesPerSecond))} files/s`}
      {live && progress.etaSeconds !== null && ` · about ${fmtInt(Math.ceil(progress.etaSeconds))} s left`}
      {run.error && <p class="notice bad">{run.error}</p>}
    </section>
  );
}

export async function showRun(c: WebContext) {
  const r = await runOf(c);
  const withFairness = r.run.status === "completed" && !r.run.progress?.scoresDroppedAt;
  const title = `Scoring run ${fmtDateTime(r.run.createdAt)}`;
  return c.render(
    <>
      <h1>{title}</h1>
      <p class="muted">
        Model {r.run.modelId} · requested by {r.run.requestedBy}
        {r.run.shadow ? " · shadow" : ""}
        {r.run.rootDigest && ` · root digest ${r.run.rootDigest.slice(0, 16)}…`}
      </p>
      <RunProgress r={r} />
      <Drift drift={r.run.drift} />
      {withFairness && <FairnessLoader runId={r.run.id} capacity={c.req.query("capacity")} />}
    </>,
    { title },
  );
}

export async function runProgress(c: WebContext) {
  const r = await runOf(c);
  // Finished: reload the page, which then shows the run's drift report.
  if (TERMINAL.has(r.run.status)) c.header("HX-Refresh", "true");
  return c.html(<RunProgress r={r} />);
}

/**
 * The fairness section is read apart from the page: it reads every score of the run (about 1.4 s
 * for 200,000 files), so the page shows at once and htmx fetches the section; without scripts the
 * link opens it as a page of its own.
 */
function FairnessLoader({ runId, capacity }: { runId: string; capacity: string | undefined }) {
  const href = `/app/runs/${runId}/fairness${capacity ? `?capacity=${encodeURIComponent(capacity)}` : ""}`;
  return (
    <section id="fairness" class="card" hx-get={href} hx-trigger="load" hx-swap="outerHTML" aria-busy="true">
      <h2>Fairness of the selection</h2>
      <p>
        <a href={href}>Show the fairness of the selection</a> (reads every score of the run).
      </p>
    </section>
  );
}

/** A run's fairness (GET /v1/scoring-runs/:id/fairness, a recorded read): the section for htmx, or a page of its own. */
export async function showRunFairness(c: WebContext) {
  const r = await runOf(c);
  const query = { capacity: runCapacity(c.req.query("capacity")), reference: c.req.query("reference") || undefined };
  const f = await readRunFairness(c.get("deps").database, r.run.id, query, actorOf(c), { requestId: c.get("requestId"), via: "web" });
  if (c.req.header("hx-request")) return c.html(<RunFairnessSection f={f} />);
  const title = `Fairness of scoring run ${fmtDateTime(r.run.createdAt)}`;
  return c.render(
    <>
      <h1>{title}</h1>
      <p>
        <a href={`/app/runs/${r.run.id}`}>Back to the run</a>
      </p>
      <RunFairnessSection f={f} />
    </>,
    { title },
  );
}
