import { csvRequestBody } from "../../../ingest/body.js";
import { createOutcomes, importOutcomesCsv } from "../../../ingest/import-outcomes.js";
import { nodeRequest } from "../../node-request.js";
import type { AppRouteHandler } from "../../types.js";
import type { CreateRoute, ImportCsvRoute } from "./outcomes.routes.js";

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { outcomes } = c.req.valid("json");
  const result = await createOutcomes(c.get("deps").database, outcomes, { actor: c.get("actor"), requestId: c.get("requestId") });
  return c.json(result, 200);
};

export const importCsv: AppRouteHandler<ImportCsvRoute> = async (c) => {
  const { mode } = c.req.valid("query");
  const { database, config } = c.get("deps");
  const body = csvRequestBody(c.req.raw, config.IMPORT_LIMIT_BYTES, nodeRequest(c.env));
  const result = await importOutcomesCsv(database, body.stream, {
    mode,
    actor: c.get("actor"),
    requestId: c.get("requestId"),
    details: () => ({ bytes: body.bytes(), gzip: body.gzip }),
  });
  c.get("metrics").importRows.inc({ kind: "outcomes" }, result.inserted);
  return c.json(result, 200);
};
