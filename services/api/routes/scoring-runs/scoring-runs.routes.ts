import { v1Route } from "../../route.js";
import {
  CreateScoringRunBody,
  DroppedScoresSchema,
  IdParam,
  ListRunsQuery,
  RunFairnessQuery,
  RunFairnessSchema,
  ScoringRunSchema,
  ScoringRunsPage,
} from "./scoring-runs.schemas.js";

const tags = ["scoring-runs"];
const json = <T>(schema: T) => ({ "application/json": { schema } });

export const create = v1Route(["data_officer"], {
  operationId: "createScoringRun",
  method: "post",
  path: "/scoring-runs",
  tags,
  summary: "Score files with a model (a BullMQ flow; follow GET /v1/scoring-runs/{id} or its events)",
  request: { body: { content: json(CreateScoringRunBody), required: true } },
  responses: { 202: { description: "Queued", content: json(ScoringRunSchema) } },
});

export const list = v1Route(["data_officer", "auditor"], {
  operationId: "listScoringRuns",
  method: "get",
  path: "/scoring-runs",
  tags,
  summary: "List scoring runs, newest first",
  request: { query: ListRunsQuery },
  responses: { 200: { description: "Runs", content: json(ScoringRunsPage) } },
});

export const get = v1Route(["data_officer", "auditor"], {
  operationId: "getScoringRun",
  method: "get",
  path: "/scoring-runs/{id}",
  tags,
  summary: "A run with its progress (chunks and files done, files/s, ETA)",
  request: { params: IdParam },
  responses: { 200: { description: "The run", content: json(ScoringRunSchema) } },
});

export const events = v1Route(["data_officer", "auditor"], {
  operationId: "streamScoringRunEvents",
  method: "get",
  path: "/scoring-runs/{id}/events",
  tags,
  summary: "The run's progress as server-sent events (`progress`, then `end` when it stops)",
  request: { params: IdParam },
  responses: { 200: { description: "text/event-stream of ScoringRun JSON", content: { "text/event-stream": { schema: ScoringRunSchema } } } },
});

export const cancel = v1Route(["data_officer"], {
  operationId: "cancelScoringRun",
  method: "post",
  path: "/scoring-runs/{id}/cancel",
  tags,
  summary: "Stop a run: chunks not yet started are skipped; written scores stay",
  request: { params: IdParam },
  responses: { 200: { description: "Cancelled", content: json(ScoringRunSchema) } },
});

export const resume = v1Route(["data_officer"], {
  operationId: "resumeScoringRun",
  method: "post",
  path: "/scoring-runs/{id}/resume",
  tags,
  summary: "Resume a failed or cancelled run: only its unfinished chunks are scored",
  request: { params: IdParam },
  responses: { 202: { description: "Queued again", content: json(ScoringRunSchema) } },
});

export const dropScores = v1Route(["admin"], {
  operationId: "dropScoringRunScores",
  method: "delete",
  path: "/scoring-runs/{id}/scores",
  tags,
  summary: "Retention: drop the run's whole scores partition (audited; rows are never deleted one by one)",
  request: { params: IdParam },
  responses: { 200: { description: "Dropped", content: json(DroppedScoresSchema) } },
});

export const fairness = v1Route(["data_officer", "auditor", "admin"], {
  operationId: "getScoringRunFairness",
  method: "get",
  path: "/scoring-runs/{id}/fairness",
  tags,
  summary: "Per-segment figures of the run's files selected at a capacity, with disparities against a reference group",
  description:
    "The top `capacity` share of the run's files by score is selected (ties at the cut pro rata). Per segment value (the schema's `segment` attributes, " +
    "then score deciles): files, selection rate, and, over the files with a recorded outcome (each file's latest), base rate, precision, FDR, FPR, FNR and recall " +
    "with Wilson 95 % intervals; ratios to the reference group flagged outside 0.8-1.25. The selection rate is judged on groups of 30 files or more, the outcome " +
    "rates on groups that also have 5 positives. The controlled files were chosen by past lists, so outcome rates describe them, not the whole group. " +
    "Inspectors are refused (selection figures). Audited (scoring_run.fairness.read), with the report as answered, so each report produced is stored. 409 for a run not completed or whose scores were dropped.",
  request: { params: IdParam, query: RunFairnessQuery },
  responses: { 200: { description: "The fairness report", content: json(RunFairnessSchema) } },
});

export type FairnessRoute = typeof fairness;
export type CreateRoute = typeof create;
export type ListRoute = typeof list;
export type GetRoute = typeof get;
export type EventsRoute = typeof events;
export type CancelRoute = typeof cancel;
export type ResumeRoute = typeof resume;
export type DropScoresRoute = typeof dropScores;
