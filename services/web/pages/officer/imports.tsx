import { Readable } from "node:stream";
import * as fileRoutes from "../../../api/routes/files/files.routes.js";
import * as outcomeRoutes from "../../../api/routes/outcomes/outcomes.routes.js";
import { getCurrentSchema, getSchemaVersion } from "../../../db/queries/feature-schemas.js";
import { DomainError, type FieldError, forbidden, invalid } from "../../../errors.js";
import { IMPORT_MODES, type ImportMode } from "../../../ingest/csv-import.js";
import { importFilesCsv } from "../../../ingest/import-files.js";
import { importOutcomesCsv } from "../../../ingest/import-outcomes.js";
import { fmtDateTime, fmtInt } from "../../format.js";
import { rolesOf } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

const KINDS = { files: { label: "Files (the cases)", route: fileRoutes.importCsv }, outcomes: { label: "Outcomes (past controls)", route: outcomeRoutes.importCsv } } as const;
type Kind = keyof typeof KINDS;

interface Result {
  kind: Kind;
  counts: Record<string, number>;
  errors: FieldError[];
  refused?: string;
}

function ResultView({ r }: { r: Result }) {
  return (
    <section class={`card`} aria-labelledby="result-title" data-testid="import-result">
      <h2 id="result-title">{r.refused ? "Import refused" : "Import done"}</h2>
      {r.refused ? (
        <p class="notice bad" role="alert">
          {r.refused}
        </p>
      ) : (
        <p class="notice ok">
          {Object.entries(r.counts)
            .filter(([, n]) => typeof n === "number")
            .map(([k, n]) => `${k}: ${fmtInt(n)}`)
            .join(" · ")}
        </p>
      )}
      {r.errors.length > 0 && (
        <div {...scrollBox({ label: "Refused lines" })}>
          <table aria-label="Refused lines">
            <thead>
              <tr>
                <th scope="col" class="num">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {r.errors.map((e) => (
                <tr>
                  <td class="num">{e.line ?? "—"}</td>
                  <td>{e.column ?? e.path}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Upload a CSV of files or outcomes (the API's streaming import, same checks and audit event); the schema. */
export async function showImports(c: WebContext, result?: Result) {
  const { db } = c.get("deps").database;
  const current = await getCurrentSchema(db);
  const asked = Number.parseInt(c.req.query("version") ?? "", 10);
  const schema = current && Number.isInteger(asked) && asked >= 1 && asked < current.version ? await getSchemaVersion(db, asked) : current;
  return c.render(
    <>
      <h1>Imports</h1>
      {result && <ResultView r={result} />}
      <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a CSV</h2>
        <form
          method="post"
          action="/app/imports"
          enctype="multipart/form-data"
          class="row"
          hx-post="/app/imports"
          hx-encoding="multipart/form-data"
          hx-target="main"
          hx-select="main"
          hx-swap="outerHTML"
          data-upload-progress="upload-progress"
        >
          <input type="hidden" name={CSRF_FIELD} value={c.get("session")?.csrfToken ?? ""} />
          <div>
            <label for="kind">What it holds</label>
            <select id="kind" name="kind">
              {Object.entries(KINDS).map(([k, v]) => (
                <option value={k}>{v.label}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="mode">Bad lines</label>
            <select id="mode" name="mode">
              <option value="all-or-nothing">Refuse the whole file</option>
              <option value="skip-invalid">Skip them, import the rest</option>
            </select>
          </div>
          <div>
            <label for="csv">CSV file</label>
            <input id="csv" name="csv" type="file" accept=".csv,text/csv" required />
          </div>
          <div>
            <button type="submit">Import</button>
          </div>
          <div>
            <label for="upload-progress">Sent</label>
            <progress id="upload-progress" max="100" value="0"></progress>
          </div>
        </form>
        <script src="/assets/upload.js" defer></script>
      </section>
      <h2 id="schema-title">Feature schema {schema ? `version ${schema.version}` : ""}</h2>
      {schema ? (
        <>
          <nav aria-label="Schema versions">
            Versions:{" "}
            {Array.from({ length: current?.version ?? 0 }, (_, i) => i + 1).map((v) => (
              <>
                {v === schema.version ? <strong aria-current="page">{v}</strong> : <a href={`/app/imports?version=${v}`}>{v}</a>}{" "}
              </>
            ))}
          </nav>
          <p class="muted">
            Since {fmtDateTime(schema.createdAt)}, by {schema.createdBy}. Every change is a new version (PUT /v1/schema); models keep the version they used.
          </p>
          <div {...scrollBox({ labelledBy: "schema-title" })}>
            <table aria-labelledby="schema-title">
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">Type</th>
                  <th scope="col">Role</th>
                  <th scope="col">When missing</th>
                </tr>
              </thead>
              <tbody>
                {schema.definition.attributes.map((a) => (
                  <tr>
                    <td>{a.name}</td>
                    <td>{a.type}</td>
                    <td>{a.role}</td>
                    <td>{a.missing}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p>No schema yet: propose one from a CSV with `cts schema infer FILE.csv`, then PUT it.</p>
      )}
    </>,
    { title: "Imports" },
  );
}

export async function runImport(c: WebContext) {
  const actor = actorOf(c);
  const form = await c.req.parseBody();
  const kind = form.kind === "outcomes" ? "outcomes" : "files";
  if (!rolesOf(KINDS[kind].route).includes(actor.role)) throw forbidden(`role "${actor.role}" may not import ${kind}`);
  const mode: ImportMode = IMPORT_MODES.includes(form.mode as ImportMode) ? (form.mode as ImportMode) : "all-or-nothing";
  const file = form.csv;
  if (!(file instanceof File) || file.size === 0) throw invalid("choose a CSV file to upload");
  const input = Readable.fromWeb(file.stream() as never);
  const opts = { mode, actor, requestId: c.get("requestId"), details: () => ({ bytes: file.size, gzip: false, via: "web", name: file.name.slice(0, 200) }) };
  try {
    const { errors, ...counts } = kind === "files" ? await importFilesCsv(c.get("deps").database, input, opts) : await importOutcomesCsv(c.get("deps").database, input, opts);
    return showImports(c, { kind, counts: counts as unknown as Record<string, number>, errors });
  } catch (error) {
    if (error instanceof DomainError && (error.code === "invalid" || error.code === "conflict")) {
      // htmx swaps only 2xx answers: to it the refusal is the page to show (its status in a header).
      if (c.req.header("hx-request")) c.header("x-form-status", error.code === "invalid" ? "422" : "409");
      else c.status(error.code === "invalid" ? 422 : 409);
      return showImports(c, { kind, counts: {}, errors: error.errors ?? [], refused: error.message });
    }
    throw error;
  }
}
