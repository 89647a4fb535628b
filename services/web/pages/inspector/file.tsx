import { canSeeUnit } from "../../../auth/actor.js";
import * as auditRoutes from "../../../api/routes/audit/audit.routes.js";
import { appendAuditEvent, appendAuditEventAlone } from "../../../db/queries/audit-events.js";
import { getFileWithOutcomes } from "../../../db/queries/files.js";
import { listFileScores } from "../../../db/queries/scores.js";
import { notFound } from "../../../errors.js";
import { fmtDate, fmtDateTime, fmtNumber, fmtPercent, fmtValue } from "../../format.js";
import { rolesOf } from "../../guard.js";
import { actorOf, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

/**
 * A file: its attributes and controls, and its score history for the roles the API lets read it.
 * Another unit's file is "not found", as in the API, so inspectors cannot probe which ids exist.
 */
export async function showFile(c: WebContext) {
  const actor = actorOf(c);
  const id = c.req.param("id") ?? "";
  const { database } = c.get("deps");
  const file = id.length <= 200 ? await getFileWithOutcomes(database.db, id) : null;
  if (!file || !canSeeUnit(actor, file.unit)) throw notFound(`file ${id}`);
  await appendAuditEventAlone(database, { actor, action: "files.read", target: id, requestId: c.get("requestId") });
  const full = actor.role !== "inspector";
  const history = rolesOf(auditRoutes.fileScores).includes(actor.role) ? await listFileScores(database.db, id) : null;
  if (history) {
    await appendAuditEvent(database.db, { actor, action: "audit.file_scores.read", target: id, details: { returned: history.length }, requestId: c.get("requestId") });
  }
  const title = `File ${file.id}`;
  return c.render(
    <>
      <h1>{title}</h1>
      <p class="muted">Unit {file.unit} · last updated {fmtDateTime(file.updatedAt)}</p>
      <section class="card" aria-labelledby="attrs-title">
        <h2 id="attrs-title">Attributes</h2>
        <dl class="attrs">
          {Object.entries(file.attributes).map(([k, v]) => (
            <>
              <dt>{k.replaceAll("_", " ")}</dt>
              <dd>{fmtValue(v)}</dd>
            </>
          ))}
        </dl>
      </section>
      <h2 id="controls-title">Controls</h2>
      {file.outcomes.length === 0 ? (
        <p>No control recorded yet.</p>
      ) : (
        <div {...scrollBox({ labelledBy: "controls-title" })}>
          <table aria-labelledby="controls-title">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Outcome</th>
                <th scope="col" class="num">Amount</th>
                <th scope="col">Inspector</th>
                {full && <th scope="col">Picked by</th>}
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {file.outcomes.map((o) => (
                <tr>
                  <td>{fmtDate(o.controlledAt)}</td>
                  <td>{o.outcome === 1 ? "Irregularity found" : "Nothing found"}</td>
                  <td class="num">{fmtNumber(o.amount)}</td>
                  <td>{o.inspector ?? "—"}</td>
                  {full && <td>{o.selectedBy}</td>}
                  <td>{o.notes ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history && (
        <>
          <h2 id="scores-title">Score history</h2>
          <div {...scrollBox({ labelledBy: "scores-title" })}>
            <table aria-labelledby="scores-title">
              <thead>
                <tr>
                  <th scope="col">Scored</th>
                  <th scope="col">Model</th>
                  <th scope="col" class="num">Score</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {history.map((s) => (
                  <tr>
                    <td>{fmtDateTime(s.createdAt)}</td>
                    <td>{s.modelName ?? s.modelId}</td>
                    <td class="num">{fmtPercent(s.score)}</td>
                    <td>
                      {s.runId}
                      {s.shadow ? " (shadow)" : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>,
    { title },
  );
}
