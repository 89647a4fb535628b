import { z } from "@hono/zod-openapi";
import { CompareQuery, comparisonFigures, yieldComparison } from "../../../api/routes/models/comparison.schemas.js";
import { getModels, listModels, type ModelRow } from "../../../db/queries/models.js";
import { compareYields } from "../../../db/queries/yield-estimates.js";
import { DomainError } from "../../../errors.js";
import { MAX_CAPACITY } from "../../../lists/create-list.js";
import { modelsListOverlap } from "../../../lists/list-overlap.js";
import { fmtDateTime, fmtInt, fmtNumber } from "../../format.js";
import { actorOf, type WebContext } from "../../session.js";
import { Overlap } from "./compare-overlap.js";
import { scrollBox } from "../../scroll-box.js";

const Ids = z.array(z.string().uuid()).min(2).max(5);
/** The list size the overlap is shown at until the officer picks one: a week's list for a small team. */
const DEFAULT_LIST_SIZE = 50;

const nameOf = (m: ModelRow) => m.name ?? m.id.slice(0, 8);

/**
 * The overlap of the first two models' lists, as GET /v1/models/compare?listSize computes it; a
 * model never scored is said in words (the API's 409) rather than as an error page.
 */
async function overlapOf(c: WebContext, rows: ModelRow[], listSize: number) {
  try {
    return { overlap: await modelsListOverlap(c.get("deps").database.db, rows[0].id, rows[1].id, listSize), why: null };
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return { overlap: null, why: error.message };
    throw error;
  }
}

/** Two (to five) models side by side: the figures GET /v1/models/compare gives, whether they saw the same data, and the overlap of their lists. */
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
  const askedSize = c.req.query("listSize");
  const listSize = CompareQuery.shape.listSize.safeParse(askedSize || String(DEFAULT_LIST_SIZE));
  const listSizeError = listSize.success ? null : `Write a whole number of files from 1 to ${fmtInt(MAX_CAPACITY)}`;
  const { overlap, why } = rows.length >= 2 && listSize.success && listSize.data !== undefined ? await overlapOf(c, rows, listSize.data) : { overlap: null, why: null };
  if (listSizeError) c.status(422);
  const choose = (n: number) => (
    <div>
      <label for={`id-${n}`}>Model {n + 1}</label>
      <select id={`id-${n}`} name="id">
        {all.map((m) => (
          <option value={m.id} selected={picked[n] === m.id}>
            {nameOf(m)} · {m.status} · {fmtDateTime(m.createdAt)}
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
          <label for="listSize">Files per unit (list size)</label>
          <input
            id="listSize"
            name="listSize"
            type="number"
            inputmode="numeric"
            min="1"
            max={String(MAX_CAPACITY)}
            step="1"
            value={askedSize || String(DEFAULT_LIST_SIZE)}
            aria-invalid={listSizeError ? "true" : undefined}
            aria-describedby={listSizeError ? "listSize-error" : undefined}
          />
          {listSizeError && (
            <p id="listSize-error" class="error">
              {listSizeError}
            </p>
          )}
        </div>
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
          {overlap && <Overlap o={overlap} names={[nameOf(rows[0]), nameOf(rows[1])]} />}
          {why && (
            <p class="notice warn" data-testid="overlap-missing">
              No overlap of their lists: {why}.
            </p>
          )}
          <div {...scrollBox({ label: "Figures side by side" })}>
            <table aria-label="Figures side by side">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  {rows.map((r) => (
                    <th scope="col" class="num">
                      <a href={`/app/models/${r.id}`}>{nameOf(r)}</a>
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
