import { unitScope } from "../../../auth/actor.js";
import { listUnits } from "../../../db/queries/units.js";
import type { AppRouteHandler } from "../../types.js";
import type { ListRoute } from "./units.routes.js";
import { toUnit } from "./units.schemas.js";

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const units = await listUnits(c.get("deps").database.db, unitScope(c.get("actor")));
  return c.json({ items: units.map(toUnit) }, 200);
};
