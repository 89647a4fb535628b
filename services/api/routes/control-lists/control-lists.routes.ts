import { z } from "@hono/zod-openapi";
import { v1Route } from "../../route.js";
import {
  AddItemBody,
  ControlListEntrySchema,
  ItemSkippedSchema,
  SkipItemBody,
  ControlListItemSchema,
  ControlListWithItemsSchema,
  CreateControlListBody,
  ItemParam,
  ListControlListsQuery,
  ListIdParam,
  ListFairnessQuery,
  ListFairnessSchema,
  OutcomeRecordedSchema,
  ReadQuery,
  RecordOutcomeBody,
  SummarySchema,
} from "./control-lists.schemas.js";

const tags = ["control-lists"];
const READERS = ["inspector", "auditor", "admin"] as const;

export const create = v1Route(["inspector"], {
  operationId: "createControlList",
  method: "post",
  path: "/control-lists",
  tags,
  summary: "Build a prioritized list for one of my units from the latest run of the active model",
  request: { body: { content: { "application/json": { schema: CreateControlListBody } }, required: true } },
  responses: { 201: { description: "Created", content: { "application/json": { schema: ControlListWithItemsSchema } } } },
});

export const list = v1Route(READERS, {
  operationId: "listControlLists",
  method: "get",
  path: "/control-lists",
  tags,
  summary: "Lists, newest first: mine, by unit, by status (inspectors: their units only)",
  request: { query: ListControlListsQuery },
  responses: {
    200: { description: "Lists", content: { "application/json": { schema: z.object({ items: z.array(ControlListEntrySchema) }) } } },
  },
});

export const read = v1Route(READERS, {
  operationId: "getControlList",
  method: "get",
  path: "/control-lists/{id}",
  tags,
  summary: "One list with its items, as JSON or CSV (Accept: text/csv or ?format=csv); audited",
  request: { params: ListIdParam, query: ReadQuery },
  responses: {
    200: {
      description: "The list",
      content: {
        "application/json": { schema: ControlListWithItemsSchema },
        "text/csv": { schema: z.string().openapi({ description: "One row per item; formula-like cells start with '" }) },
      },
    },
  },
});

export const summary = v1Route(READERS, {
  operationId: "getControlListSummary",
  method: "get",
  path: "/control-lists/{id}/summary",
  tags,
  summary: "Done, pending and hit rate so far, split by model and exploration picks",
  request: { params: ListIdParam },
  responses: { 200: { description: "Summary", content: { "application/json": { schema: SummarySchema } } } },
});

export const claim = v1Route(["inspector"], {
  operationId: "claimControlListItem",
  method: "post",
  path: "/control-lists/{id}/items/{fileId}/claim",
  tags,
  summary: "Claim an item (assigned to me)",
  request: { params: ItemParam },
  responses: { 200: { description: "Claimed", content: { "application/json": { schema: ControlListItemSchema } } } },
});

export const start = v1Route(["inspector"], {
  operationId: "startControlListItem",
  method: "post",
  path: "/control-lists/{id}/items/{fileId}/start",
  tags,
  summary: "Mark an item in progress",
  request: { params: ItemParam },
  responses: { 200: { description: "In progress", content: { "application/json": { schema: ControlListItemSchema } } } },
});

export const outcome = v1Route(["inspector"], {
  operationId: "recordControlListItemOutcome",
  method: "post",
  path: "/control-lists/{id}/items/{fileId}/outcome",
  tags,
  summary: "Record what the control found; writes one outcome with the item's selection provenance",
  request: { params: ItemParam, body: { content: { "application/json": { schema: RecordOutcomeBody } }, required: true } },
  responses: { 201: { description: "Recorded", content: { "application/json": { schema: OutcomeRecordedSchema } } } },
});

export const addItem = v1Route(["inspector"], {
  operationId: "addControlListItem",
  method: "post",
  path: "/control-lists/{id}/items",
  tags,
  summary: "Add a file of the list's unit by hand, with the reason (a manual pick: no selection probability)",
  request: { params: ListIdParam, body: { content: { "application/json": { schema: AddItemBody } }, required: true } },
  responses: { 201: { description: "Added, last on the list", content: { "application/json": { schema: ControlListItemSchema } } } },
});

export const skip = v1Route(["inspector"], {
  operationId: "skipControlListItem",
  method: "post",
  path: "/control-lists/{id}/items/{fileId}/skip",
  tags,
  summary: "Skip an item with the reason: it will not be controlled on this list and its file is free for later lists",
  request: { params: ItemParam, body: { content: { "application/json": { schema: SkipItemBody } }, required: true } },
  responses: { 200: { description: "Skipped", content: { "application/json": { schema: ItemSkippedSchema } } } },
});

export const fairness = v1Route(["data_officer", "auditor", "admin"], {
  operationId: "getControlListFairness",
  method: "get",
  path: "/control-lists/{id}/fairness",
  tags,
  summary: "Per-segment figures of the list's picks against its unit's scored files, with disparities against a reference group",
  description:
    "Population: every file of the list's unit scored in the list's run; selected: the list's items (model, exploration and manual picks, skipped ones included). " +
    "Per segment value and score decile: files, picks and selection rate; once outcomes are recorded on the list, hit rate (precision) and FDR over the items " +
    "with an outcome (FPR, FNR and recall are undefined: only the picks' outcomes are known). Wilson 95 % intervals, ratios flagged outside 0.8-1.25, " +
    "the selection rate judged on groups of 30 files or more. Authorized by the list's unit; inspectors are refused (it reveals the selection). " +
    "Audited (control_list.fairness.read), with the report as answered, so each report produced is stored. 409 when the run's scores were dropped.",
  request: { params: ListIdParam, query: ListFairnessQuery },
  responses: { 200: { description: "The fairness report", content: { "application/json": { schema: ListFairnessSchema } } } },
});

export type FairnessRoute = typeof fairness;
export type AddItemRoute = typeof addItem;
export type SkipRoute = typeof skip;
export type CreateRoute = typeof create;
export type ListRoute = typeof list;
export type ReadRoute = typeof read;
export type SummaryRoute = typeof summary;
export type ClaimRoute = typeof claim;
export type StartRoute = typeof start;
export type OutcomeRoute = typeof outcome;
