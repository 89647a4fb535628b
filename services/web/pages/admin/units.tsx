import { unitScope } from "../../../auth/actor.js";
import { listUnits } from "../../../db/queries/units.js";
import { fmtDateTime, fmtInt } from "../../format.js";
import { actorOf, type WebContext } from "../../session.js";
import { scrollBox } from "../../scroll-box.js";

/** The units the caller may see (an inspector: their own), as GET /v1/units answers. */
export async function showUnits(c: WebContext) {
  const units = await listUnits(c.get("deps").database.db, unitScope(actorOf(c)));
  return c.render(
    <>
      <h1>Units</h1>
      <div {...scrollBox({ label: "Units" })}>
        <table aria-label="Units">
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col" class="num">Files</th>
              <th scope="col" class="num">Open lists</th>
              <th scope="col">Last scoring run</th>
            </tr>
          </thead>
          <tbody>
            {units.map((u) => (
              <tr>
                <td>{u.unit}</td>
                <td class="num">{fmtInt(u.files)}</td>
                <td class="num">{fmtInt(u.openLists)}</td>
                <td>{u.lastRun ? `finished ${fmtDateTime(u.lastRun.finishedAt)}` : "none yet"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
    { title: "Units" },
  );
}
