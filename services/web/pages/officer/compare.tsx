import { z } from "@hono/zod-openapi";
import { CompareQuery, comparisonFigures } from "../../../api/routes/models/models.schemas.js";
import { getModels, listModels, type ModelRow } from "../../../db/queries/models.js";
import { DomainError } from "../../../errors.js";
import { MAX_CAPACITY } from "../../../lists/create-list.js";
import { modelsListOverlap } from "../../../lists/list-overlap.js";
import { fmtDateTime, fmtInt, fmtNumber } from "../../format.js";
import type { WebContext } from "../../session.js";
import { Overlap } from "./compare-overlap.js";
import { scrollBox } from "../../scroll-box.js";

const Ids = z.array(z.string().uuid()).min(2).max(5);
/** The capacity the overlap is shown at until the officer picks one: a week's list for a small team. */
const DEFAULT_CAPACITY = 50;

const nameOf = (m: ModelRow) => m.name ?? m.id.slice(0, 8);

/**
 * The overlap of the first two models' lists, as GET /v1/models/compare?capacity computes it; a
 * model never scored is said in words (the API's 409) rather than as an error page.
 */
async function overlapOf(c: WebContext, rows: ModelRow[], capacity: number) {
  try {
    return { overlap: await modelsListOverlap(c.get("deps").database.db, rows[0].id, rows[1].id, capacity), why: null };
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
  const sameData = rows.length >= 2 && new Set(rows.map((r) => r.dataDigest)).size === 1 && rows[0].dataDigest !== null;
  const asked = c.req.query("capacity");
  const capacity = CompareQuery.shape.capacity.safeParse(asked || String(DEFAULT_CAPACITY));
  const capacityError = capacity.success ? null : `Write a whole number of files from 1 to ${fmtInt(MAX_CAPACITY)}`;
  const { overlap, why } = rows.length >= 2 && capacity.success && capacity.data !== undefined ? await overlapOf(c, rows, capacity.data) : { overlap: null, why: null };
  if (capacityError) c.status(422);
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
          <label for="capacity">Files per unit (list size)</label>
          <input
            id="capacity"
            name="capacity"
            type="number"
            inputmode="numeric"
            min="1"
            max={String(MAX_CAPACITY)}
            step="1"
            value={asked || String(DEFAULT_CAPACITY)}
            aria-invalid={capacityError ? "true" : undefined}
            aria-describedby={capacityError ? "capacity-error" : undefined}
          />
          {capacityError && (
            <p id="capacity-error" class="error">
              {capacityError}
            </p>
          )}
        </div>
        <div>
          <button type="submit">Compare</button>
        </div>
      </form>
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
