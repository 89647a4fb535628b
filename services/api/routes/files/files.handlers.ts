import { assertUnitAccess, canSeeUnit, unitScope } from "../../../auth/actor.js";
import { getFileWithOutcomes, listFiles } from "../../../db/queries/files.js";
import { notFound } from "../../../errors.js";
import { csvRequestBody } from "../../../ingest/body.js";
import { importFilesCsv, upsertFiles } from "../../../ingest/import-files.js";
import { nodeRequest } from "../../node-request.js";
import type { AppRouteHandler } from "../../types.js";
import type { GetRoute, ImportCsvRoute, ListRoute, UpsertRoute } from "./files.routes.js";
import { toFile, toFileOutcome } from "./files.schemas.js";
import { appendAuditEventAlone } from "../../../db/queries/audit-events.js";

export const upsert: AppRouteHandler<UpsertRoute> = async (c) => {
  const { files } = c.req.valid("json");
  const result = await upsertFiles(c.get("deps").database, files, { actor: c.get("actor"), requestId: c.get("requestId") });
  return c.json(result, 200);
};

export const importCsv: AppRouteHandler<ImportCsvRoute> = async (c) => {
  const { mode } = c.req.valid("query");
  const { database, config } = c.get("deps");
  const body = csvRequestBody(c.req.raw, config.IMPORT_LIMIT_BYTES, nodeRequest(c.env));
  const result = await importFilesCsv(database, body.stream, {
    mode,
    actor: c.get("actor"),
    requestId: c.get("requestId"),
    details: () => ({ bytes: body.bytes(), gzip: body.gzip }),
    settleAfterRows: config.IMPORT_SETTLE_ROWS,
    onSettleError: (err) => c.get("logger").warn({ err: err.message }, "vacuum (analyze) files after the import failed; autovacuum will do it"),
  });
  c.get("metrics").importRows.inc({ kind: "files" }, result.inserted + result.updated);
  return c.json(result, 200);
};

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { unit, after, limit } = c.req.valid("query");
  const actor = c.get("actor");
  if (unit !== undefined) assertUnitAccess(actor, unit);
  const { database } = c.get("deps");
  const page = await listFiles(database.db, { units: unit !== undefined ? [unit] : unitScope(actor), after, limit });
  // Pulling files (people's cases) is recorded like any list pulled.
  await appendAuditEventAlone(database, {
    actor,
    action: "files.list",
    details: { unit: unit ?? null, after: after ?? null, limit, returned: page.items.length },
    requestId: c.get("requestId"),
  });
  return c.json({ items: page.items.map(toFile), nextAfter: page.nextAfter }, 200);
};

/** A file of another unit answers 404, as a missing one, so that inspectors cannot probe which ids exist. */
export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const { database } = c.get("deps");
  const file = await getFileWithOutcomes(database.db, id);
  if (!file || !canSeeUnit(c.get("actor"), file.unit)) throw notFound(`file ${id}`);
  await appendAuditEventAlone(database, { actor: c.get("actor"), action: "files.read", target: id, requestId: c.get("requestId") });
  const view = c.get("actor").role === "inspector" ? "inspector" : "full";
  return c.json({ ...toFile(file), outcomes: file.outcomes.map((o) => toFileOutcome(o, view)) }, 200);
};
