import { createApiKey, listApiKeys, revokeApiKey } from "../../../db/queries/api-keys.js";
import { unitsWithoutFiles } from "../../../db/queries/files.js";
import { invalid } from "../../../errors.js";
import type { AppRouteHandler } from "../../types.js";
import type { CreateRoute, ListRoute, RevokeRoute } from "./api-keys.routes.js";
import { toApiKey } from "./api-keys.schemas.js";

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const body = c.req.valid("json");
  const { db } = c.get("deps").database;
  const unknown = await unitsWithoutFiles(db, body.units);
  if (unknown.length > 0) {
    throw invalid(
      `no file belongs to unit ${unknown.map((u) => `"${u}"`).join(", ")}: import its files first, or check the spelling`,
      unknown.map((u) => ({ path: `units.${body.units.indexOf(u)}`, message: `unknown unit "${u}"` })),
    );
  }
  const row = await createApiKey(db, body, c.get("actor"), c.get("requestId"));
  return c.json({ ...toApiKey(row), key: row.key }, 201);
};

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const rows = await listApiKeys(c.get("deps").database.db);
  return c.json({ items: rows.map(toApiKey) }, 200);
};

export const revoke: AppRouteHandler<RevokeRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const row = await revokeApiKey(c.get("deps").database.db, id, c.get("actor"), c.get("requestId"));
  return c.json(toApiKey(row), 200);
};
