import { zodFieldErrors } from "../../../api/problem.js";
import { CreateModelBody } from "../../../api/routes/models/models.schemas.js";
import { startTraining } from "../../../api/routes/models/models.handlers.js";
import { listModels } from "../../../db/queries/models.js";
import type { FieldError } from "../../../errors.js";
import { fmtDateTime, fmtPercent } from "../../format.js";
import { formText } from "../../guard.js";
import { actorOf, CSRF_FIELD, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

const vRoc = (metrics: unknown) => (metrics as { validation?: { aucRoc?: number | null } } | null)?.validation?.aucRoc ?? null;

/** Models, newest first, and the form that starts a training (data officers). */
export async function showModels(c: WebContext, form: { values?: Record<string, string>; errors?: FieldError[] } = {}) {
  const actor = actorOf(c);
  const rows = await listModels(c.get("deps").database.db);
  const v = form.values ?? {};
  const err = (p: string) => form.errors?.find((e) => e.path === p)?.message;
  if (form.errors) c.status(422);
  return c.render(
    <>
      <h1>Models</h1>
      {actor.role === "data_officer" && (
        <section class="card" aria-labelledby="train-title">
          <h2 id="train-title">Train a model</h2>
          <form method="post" action="/app/models" class="row">
            <input type="hidden" name={CSRF_FIELD} value={c.get("session")?.csrfToken ?? ""} />
            <div>
              <label for="name">Name (optional)</label>
              <input id="name" name="name" value={v.name ?? ""} />
            </div>
            <div>
              <label for="cutoff">Use controls before (default today)</label>
              <input id="cutoff" name="cutoff" type="date" value={v.cutoff ?? ""} aria-invalid={err("cutoff") ? "true" : undefined} />
              {err("cutoff") && <p class="error">{err("cutoff")}</p>}
            </div>
            <div>
              <label for="seed">Seed</label>
              <input id="seed" name="seed" type="number" min="0" value={v.seed ?? "1"} aria-invalid={err("seed") ? "true" : undefined} />
              {err("seed") && <p class="error">{err("seed")}</p>}
            </div>
            <div>
              <label for="maxEpochs">Most epochs (default 30)</label>
              <input id="maxEpochs" name="maxEpochs" type="number" min="1" value={v.maxEpochs ?? ""} aria-invalid={err("params.maxEpochs") ? "true" : undefined} />
              {err("params.maxEpochs") && <p class="error">{err("params.maxEpochs")}</p>}
            </div>
            <div>
              <button type="submit">Start training</button>
            </div>
          </form>
        </section>
      )}
      <p>
        <a href="/app/models/compare">Compare two models side by side</a>
      </p>
      <div {...scrollBox({ label: "Models" })}>
        <table aria-label="Models">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Validation ROC-AUC</th>
              <th scope="col">Trained by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr>
                <td>
                  <a href={`/app/models/${m.id}`}>{m.name ?? m.id.slice(0, 8)}</a>
                </td>
                <td>
                  <span class={`status status-${m.status}`}>{m.status}</span>
                </td>
                <td class="num">{fmtPercent(vRoc(m.metrics))}</td>
                <td>{m.trainedBy}</td>
                <td>{fmtDateTime(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
    { title: "Models" },
  );
}

/** The API's create: same schema, and the same function makes the row, its audit event and the job. */
export async function trainModel(c: WebContext) {
  const actor = actorOf(c);
  const form = await c.req.parseBody();
  const values = { name: formText(form, "name"), cutoff: formText(form, "cutoff"), seed: formText(form, "seed"), maxEpochs: formText(form, "maxEpochs") };
  const parsed = CreateModelBody.safeParse({
    name: values.name || undefined,
    cutoff: values.cutoff || undefined,
    seed: values.seed === "" ? undefined : Number(values.seed),
    params: values.maxEpochs === "" ? undefined : { maxEpochs: Number(values.maxEpochs) },
  });
  if (!parsed.success) return showModels(c, { values, errors: zodFieldErrors(parsed.error) });
  const row = await startTraining(c.get("deps"), parsed.data, actor, c.get("requestId"));
  return c.redirect(`/app/models/${row.id}`, 303);
}
