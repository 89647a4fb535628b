import { v1Route } from "../../route.js";
import { CreateOutcomesBody, CsvBody, ImportQuery, OutcomesImportResultSchema, OutcomesWriteResultSchema } from "./outcomes.schemas.js";

const tags = ["outcomes"];

export const create = v1Route(["data_officer"], {
  operationId: "createOutcomes",
  method: "post",
  path: "/outcomes",
  tags,
  summary: "Record up to 5,000 past controls, all or none",
  description: "Unknown file ids, future dates, outcomes other than 0/1 and probabilities outside (0, 1] are 422 errors.",
  request: { body: { content: { "application/json": { schema: CreateOutcomesBody } }, required: true } },
  responses: { 200: { description: "Recorded", content: { "application/json": { schema: OutcomesWriteResultSchema } } } },
});

export const importCsv = v1Route(["data_officer"], {
  operationId: "importOutcomesCsv",
  method: "post",
  path: "/outcomes/import",
  tags,
  summary: "Stream an outcomes CSV in one transaction (all-or-nothing or skip-invalid)",
  request: {
    query: ImportQuery,
    body: { content: { "text/csv": { schema: CsvBody }, "application/gzip": { schema: CsvBody } }, required: true },
  },
  responses: { 200: { description: "Imported", content: { "application/json": { schema: OutcomesImportResultSchema } } } },
});

export type CreateRoute = typeof create;
export type ImportCsvRoute = typeof importCsv;
