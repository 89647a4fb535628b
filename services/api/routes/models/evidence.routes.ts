import { v1Route } from "../../route.js";
import { z } from "@hono/zod-openapi";
import { CardQuery, FairnessQuery, ModelCard, ModelFairnessSchema, YieldEstimate, YieldQuery } from "./evidence.schemas.js";
import { IdParam } from "./models.schemas.js";

const tags = ["models"];
const json = <T>(schema: T) => ({ "application/json": { schema } });

export const fairness = v1Route(["data_officer", "auditor"], {
  operationId: "getModelFairness",
  method: "get",
  path: "/models/{id}/fairness",
  tags,
  summary: "Per-segment figures of the model's evaluation at a capacity, with disparities against a reference group",
  description:
    "Stored with the evaluation (validation rows). Per segment value: count, base rate, selection rate, precision (1 - FDR), " +
    "FDR, FPR, FNR and recall with Wilson 95 % intervals, and each one's ratio to the reference group, flagged outside 0.8-1.25. " +
    "Groups under 30 files or 5 positives are marked too small to judge. 409 when the model has no stored fairness report.",
  request: { params: IdParam, query: FairnessQuery },
  responses: { 200: { description: "The fairness report", content: json(ModelFairnessSchema) } },
});

export const card = v1Route(["data_officer", "auditor"], {
  operationId: "getModelCard",
  method: "get",
  path: "/models/{id}/card",
  tags,
  summary: "The model's card (technical documentation): use and limits, data, features, training, evaluation, calibration, fairness, drift, approval, artifact",
  description:
    "Made from stored facts only (the model row, its schema version, the drift of its latest run completed before approval), " +
    "so the same model gives the same card. JSON, or Markdown with Accept: text/markdown or ?format=md. 409 for a model that has not finished training.",
  request: { params: IdParam, query: CardQuery },
  responses: {
    200: {
      description: "The card",
      content: { "application/json": { schema: ModelCard }, "text/markdown": { schema: z.string() } },
    },
  },
});

export const yieldEstimate = v1Route(["data_officer", "auditor"], {
  operationId: "getModelYieldEstimate",
  method: "get",
  path: "/models/{id}/yield-estimate",
  tags,
  summary: "What the model's list at a capacity would have found on past controls: IPS, self-normalized IPS, doubly robust and naive, with bootstrap intervals and support",
  description:
    "Off-policy estimate from logged outcomes, each weighted by 1 / its recorded selection probability (manual picks and controls without one are excluded and counted). " +
    "The model's latest completed scoring run gives the target population and the scores of the controlled files; 409 when there is none. " +
    "Each estimate is stored and audited (model.yield_estimate). A thin-support warning says when too few past controls fall in the list.",
  request: { params: IdParam, query: YieldQuery },
  responses: { 200: { description: "The estimate, as stored", content: json(YieldEstimate) } },
});

export type FairnessRoute = typeof fairness;
export type YieldEstimateRoute = typeof yieldEstimate;
export type CardRoute = typeof card;
