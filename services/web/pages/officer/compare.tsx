import { z } from "@hono/zod-openapi";
import { comparisonFigures, yieldComparison } from "../../../api/routes/models/models.schemas.js";
import { compareYields } from "../../../db/queries/yield-estimates.js";
import { getModels, listModels } from "../../../db/queries/models.js";
import { fmtDateTime, fmtNumber } from "../../format.js";
import { actorOf, type WebContext } from "../../session.js";

const Ids = z.array(z.string().uuid()).min(2).max(5);

/** Two (to five) models side by side: the figures GET /v1/models/compare gives, and whether they saw the same data. */
export async function showCompare(c: WebContext) {
  const { db } = c.get("deps").database;
  const all = await listModels(db);
  const picked = c.req.queries("id") ?? [];
  const parsed = Ids.safeParse(picked.filter(Boolean));
  const rows = parsed.success ? await getModels(db, parsed.data) : [];
  const figures = rows.length >= 2 ? comparisonFigures(rows) : [];
  const asked = Number(c.req.query("capacity"));
  const compared = rows.length >= 2 ? await compareYields(db, parsed.data ?? [], asked > 0 && asked <= 1 ? asked : undefined, actorOf(c), c.get("requestId")) : null;
  const past = compared ? yieldComparison(parsed.data ?? [], compared) : null;
  const sameData = rows.length >= 2 && new Set(rows.map((r) => r.dataDigest)).size === 1 && rows[0].dataDigest !== null;
  const choose = (n: number) => (
    <div>
      <label for={`id-${n}`}>Model {n + 1}</label>
      <select id={`id-${n}`} name="id">
        {all.map((m) => (
          <option value={m.id} selected={picked[n] === m.id}>
            {m.name ?? m.id.slice(0, 8)} · {m.status} · {fmtDateTime(m.createdAt)}
          </option>
        ))}
      </select>
    </div>
  );
  return c.render(
    <>
      <h1>Compare models</h1>
      <form method="get" action="/app/models/compare" class="row card">
        {choose(0)}
        {choose(1)}
        <div>
          <button type="submit">Compare</button>
        </div>
      </form>
      {compared && past && (
        <section class="card" aria-labelledby="past-controls-title" id="past-controls">
          <h2 id="past-controls-title">On past controls, at {fmtNumber(compared.capacity * 100)} % of files</h2>
          {past.sentences.length === 0 ? (
            <p class="muted">No estimate can be made: none of these models has a completed scoring run (a shadow run is enough).</p>
          ) : (
            <ul data-testid="past-controls">
              {past.sentences.map((sentence) => (
                <li class={sentence.includes("thin support") ? "notice warn" : undefined}>{sentence}</li>
              ))}
            </ul>
          )}
          <p class="muted">
            Doubly robust estimates from past controls weighted by their selection probability (manual picks left out), with 95 % intervals; see each model's yield estimates.
          </p>
        </section>
      )}
      {figures.length > 0 && (
        <>
          <p class={sameData ? "notice ok" : "notice warn"}>
            {sameData ? "Both were trained and validated on the same data (same digest): the figures compare like with like." : "They were not trained on the same data: compare with care."}
          </p>
          <div class="table-wrap">
            <table aria-label="Figures side by side">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  {rows.map((r) => (
                    <th scope="col" class="num">
                      <a href={`/app/models/${r.id}`}>{r.name ?? r.id.slice(0, 8)}</a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {figures.map((f) => (
                  <tr>
                    <th scope="row">{f.figure}</th>
                    {f.values.map((v) => (
                      <td class="num">{fmtNumber(v === null ? null : Math.round(v * 1000) / 1000)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>,
    { title: "Compare models" },
  );
}
