import { getCurrentSchema, getSchemaVersion, putSchema } from "../../../db/queries/feature-schemas.js";
import { invalid, notFound } from "../../../errors.js";
import { csvRequestBody } from "../../../ingest/body.js";
import { csvFieldErrors } from "../../../ingest/errors.js";
import { inferSchema, readCsvSample } from "../../../ingest/infer-schema.js";
import type { AppRouteHandler } from "../../types.js";
import type { GetRoute, InferRoute, PutRoute } from "./schema.routes.js";
import { toSchemaVersion } from "./schema.schemas.js";

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { version } = c.req.valid("query");
  const { db } = c.get("deps").database;
  const row = version === undefined ? await getCurrentSchema(db) : await getSchemaVersion(db, version);
  if (!row) throw notFound(version === undefined ? "a feature schema (none was PUT yet)" : `feature schema version ${version}`);
  return c.json(toSchemaVersion(row), 200);
};

export const put: AppRouteHandler<PutRoute> = async (c) => {
  const definition = c.req.valid("json");
  const { row, created } = await putSchema(c.get("deps").database.db, definition, c.get("actor"), c.get("requestId"));
  return c.json({ ...toSchemaVersion(row), created }, 200);
};

export const infer: AppRouteHandler<InferRoute> = async (c) => {
  const body = csvRequestBody(c.req.raw, c.get("deps").config.BODY_LIMIT_BYTES);
  const { header, rows } = await readCsvSample(body.stream);
  if (!header) throw invalid("the CSV sample is empty: send a header line and some rows");
  const result = inferSchema(header, rows);
  if (!result.ok) throw invalid("the sample's header cannot make a schema", csvFieldErrors(result.errors));
  return c.json(result.proposal, 200);
};
