import { z } from "@hono/zod-openapi";
import { v1Route } from "../../route.js";
import {
  ApproveModelBody,
  CreatedModelSchema,
  CreateModelBody,
  IdParam,
  ModelSchema,
  ModelSummarySchema,
} from "./models.schemas.js";
import { CompareQuery, CompareSchema } from "./comparison.schemas.js";

const tags = ["models"];
const json = <T>(schema: T) => ({ "application/json": { schema } });

export const create = v1Route(["data_officer"], {
  operationId: "trainModel",
  method: "post",
  path: "/models",
  tags,
  summary: "Train a model on past outcomes (runs as a job; poll GET /v1/models/{id})",
  request: { body: { content: json(CreateModelBody), required: true } },
  responses: { 202: { description: "Queued for training", content: json(CreatedModelSchema) } },
});

export const list = v1Route(["data_officer", "auditor"], {
  operationId: "listModels",
  method: "get",
  path: "/models",
  tags,
  summary: "List models, newest first",
  responses: { 200: { description: "Models", content: json(z.object({ items: z.array(ModelSummarySchema) })) } },
});

export const compare = v1Route(["data_officer", "auditor"], {
  operationId: "compareModels",
  method: "get",
  path: "/models/compare",
  tags,
  summary: "Put models side by side (validation, unbiased and baseline figures, what each would have found on past controls against the active model, and with a list size the overlap of the first two models' lists)",
  description:
    "Past controls: each model's and the active model's off-policy yield estimate at one capacity (doubly robust, 95 % interval, support, thin-support warning). " +
    "The latest stored estimate at that capacity is used; when a model has none, one is made, stored and audited (model.yield_estimate), as GET /v1/models/{id}/yield-estimate does. " +
    "With `listSize` (files per unit, as a list's capacity) the answer adds `overlap`: in each unit the files both models' lists would hold, " +
    "those only one would, Jaccard, and each set's hit rate on files with a known outcome. 409 when either of the first two models has no completed scoring run with its scores.",
  request: { query: CompareQuery },
  responses: { 200: { description: "Comparison", content: json(CompareSchema) } },
});

export const get = v1Route(["data_officer", "auditor"], {
  operationId: "getModel",
  method: "get",
  path: "/models/{id}",
  tags,
  summary: "A model: status, live progress, metrics, baselines and counts (not the artifact)",
  request: { params: IdParam },
  responses: { 200: { description: "The model", content: json(ModelSchema) } },
});

export const approve = v1Route(["data_officer"], {
  operationId: "approveModel",
  method: "post",
  path: "/models/{id}/approve",
  tags,
  summary: "Approve a trained model (four eyes): it becomes the active model and the previous one is retired",
  request: { params: IdParam, body: { content: json(ApproveModelBody), required: true } },
  responses: { 200: { description: "Now active", content: json(ModelSchema) } },
});

export const suspend = v1Route(["data_officer"], {
  operationId: "suspendModel",
  method: "post",
  path: "/models/{id}/suspend",
  tags,
  summary: "Suspend the active model (human oversight): no list is built until a model is approved again or this one resumed",
  request: { params: IdParam, body: { content: json(ApproveModelBody), required: true } },
  responses: { 200: { description: "Suspended", content: json(ModelSchema) } },
});

export const resume = v1Route(["data_officer"], {
  operationId: "resumeModel",
  method: "post",
  path: "/models/{id}/resume",
  tags,
  summary: "End a suspension: the model is active again",
  request: { params: IdParam, body: { content: json(ApproveModelBody), required: true } },
  responses: { 200: { description: "Active again", content: json(ModelSchema) } },
});

export const retire = v1Route(["data_officer"], {
  operationId: "retireModel",
  method: "post",
  path: "/models/{id}/retire",
  tags,
  summary: "Retire a trained, approved or active model",
  request: { params: IdParam },
  responses: { 200: { description: "Retired", content: json(ModelSchema) } },
});

export const cancel = v1Route(["data_officer"], {
  operationId: "cancelModelTraining",
  method: "post",
  path: "/models/{id}/cancel",
  tags,
  summary: "Cancel a queued or running training (status failed, error \"cancelled\"); idempotent",
  request: { params: IdParam },
  responses: { 200: { description: "Cancelled", content: json(ModelSchema) } },
});

export type CreateRoute = typeof create;
export type ListRoute = typeof list;
export type CompareRoute = typeof compare;
export type GetRoute = typeof get;
export type ApproveRoute = typeof approve;
export type SuspendRoute = typeof suspend;
export type ResumeRoute = typeof resume;
export type RetireRoute = typeof retire;
export type CancelRoute = typeof cancel;
