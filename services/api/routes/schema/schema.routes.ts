import { v1Route } from "../../route.js";
import { CsvSampleBody, FeatureSchemaBody, PutSchemaResult, SchemaProposalSchema, SchemaQuery, SchemaVersionSchema } from "./schema.schemas.js";

const tags = ["schema"];

export const get = v1Route(["data_officer", "auditor", "inspector"], {
  operationId: "getFeatureSchema",
  method: "get",
  path: "/schema",
  tags,
  summary: "Read the current feature schema (or a past version)",
  request: { query: SchemaQuery },
  responses: { 200: { description: "The schema", content: { "application/json": { schema: SchemaVersionSchema } } } },
});

export const put = v1Route(["data_officer"], {
  operationId: "putFeatureSchema",
  method: "put",
  path: "/schema",
  tags,
  summary: "Declare the feature schema: a new version unless it equals the current one",
  description:
    "Per attribute: type (numeric, categorical, boolean, date), role (feature, segment for fairness reports, ignore) " +
    "and missing-value policy (allow, reject). Imports check files against the newest version.",
  request: { body: { content: { "application/json": { schema: FeatureSchemaBody } }, required: true } },
  responses: { 200: { description: "The stored version", content: { "application/json": { schema: PutSchemaResult } } } },
});

export const infer = v1Route(["data_officer"], {
  operationId: "inferFeatureSchema",
  method: "post",
  path: "/schema/infer",
  tags,
  summary: "Propose a schema from a CSV sample, to review and PUT (nothing is stored)",
  request: { body: { content: { "text/csv": { schema: CsvSampleBody } }, required: true } },
  responses: { 200: { description: "A proposal", content: { "application/json": { schema: SchemaProposalSchema } } } },
});

export type GetRoute = typeof get;
export type PutRoute = typeof put;
export type InferRoute = typeof infer;
