import type { PickSet } from "../../../../models/list-overlap.js";
import type { ModelsOverlap } from "../../../lists/list-overlap.js";
import { fmtInt, fmtPercent } from "../../format.js";
import { scrollBox } from "../../scroll-box.js";

/** A set's hit rate as people read it: "2 of 4 known (50.0%)", or that none is known. */
const hitRate = (s: PickSet) => (s.known === 0 ? "no outcome known" : `${fmtInt(s.hits)} of ${fmtInt(s.known)} known (${fmtPercent(s.hitRate)})`);

const SETS = [
  { key: "both", name: () => "Both would pick" },
  { key: "onlyA", name: ([a]: [string, string]) => `Only ${a} would pick` },
  { key: "onlyB", name: ([, b]: [string, string]) => `Only ${b} would pick` },
  { key: "a", name: ([a]: [string, string]) => `${a}: the whole list` },
  { key: "b", name: ([, b]: [string, string]) => `${b}: the whole list` },
] as const;

/**
 * The overlap of two models' lists at a capacity (what GET /v1/models/compare?capacity gives): in
 * words first, then the sets in a table, then unit by unit.
 */
export function Overlap({ o, names }: { o: ModelsOverlap; names: [string, string] }) {
  const t = o.total;
  return (
    <section class="card" aria-labelledby="overlap-title" id="overlap">
      <h2 id="overlap-title">Their lists at {fmtInt(o.capacity)} files per unit</h2>
      <p data-testid="overlap-summary">
        Of the {fmtInt(t.union)} files either would pick, both would pick {fmtInt(t.both.files)} (Jaccard {fmtPercent(t.jaccard)}); only {names[0]} would pick{" "}
        {fmtInt(t.onlyA.files)}, only {names[1]} {fmtInt(t.onlyB.files)}.
      </p>
      <p class="muted">
        Each list is the top of each unit by the model's latest completed scoring run, before the exclusions and exploration a real list applies. Hit rates count the files
        whose outcome is known (the latest control of each): past lists chose those files, so they hint at a difference; they do not measure it.
      </p>
      <div {...scrollBox({ label: "Overlap of the two lists" })}>
        <table aria-label="Overlap of the two lists">
          <thead>
            <tr>
              <th scope="col">Files</th>
              <th scope="col" class="num">
                Count
              </th>
              <th scope="col" class="num">
                Irregular among known outcomes
              </th>
            </tr>
          </thead>
          <tbody>
            {SETS.map((s) => (
              <tr data-set={s.key}>
                <th scope="row">{s.name(names)}</th>
                <td class="num">{fmtInt(t[s.key].files)}</td>
                <td class="num">{hitRate(t[s.key])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {o.units.length > 1 && (
        <div {...scrollBox({ label: "Overlap by unit" })}>
          <table aria-label="Overlap by unit">
            <thead>
              <tr>
                <th scope="col">Unit</th>
                <th scope="col" class="num">
                  Both
                </th>
                <th scope="col" class="num">
                  Only {names[0]}
                </th>
                <th scope="col" class="num">
                  Only {names[1]}
                </th>
                <th scope="col" class="num">
                  Jaccard
                </th>
              </tr>
            </thead>
            <tbody>
              {o.units.map((u) => (
                <tr data-unit={u.unit}>
                  <th scope="row">{u.unit}</th>
                  <td class="num">{fmtInt(u.both.files)}</td>
                  <td class="num">{fmtInt(u.onlyA.files)}</td>
                  <td class="num">{fmtInt(u.onlyB.files)}</td>
                  <td class="num">{fmtPercent(u.jaccard)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {o.unitsLeftOut.length > 0 && (
        <p class="notice warn">
          Left out, scored by one model only: {o.unitsLeftOut.map((u) => `${u.unit} (${u.scoredBy === "a" ? names[0] : names[1]})`).join(", ")}.
        </p>
      )}
    </section>
  );
}
