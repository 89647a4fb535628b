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

export type AddItemRoute = typeof addItem;
export type SkipRoute = typeof skip;
export type CreateRoute = typeof create;
export type ListRoute = typeof list;
export type ReadRoute = typeof read;
export type SummaryRoute = typeof summary;
export type ClaimRoute = typeof claim;
export type StartRoute = typeof start;
export type OutcomeRoute = typeof outcome;
