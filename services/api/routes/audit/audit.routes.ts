import { v1Route } from "../../route.js";
import { AuditEventsPage, AuditEventsQuery, ChainVerification } from "./audit.schemas.js";

const tags = ["audit"];

export const events = v1Route(["auditor"], {
  method: "get",
  path: "/audit/events",
  tags,
  summary: "Page through the audit events in chain order",
  request: { query: AuditEventsQuery },
  responses: { 200: { description: "A page", content: { "application/json": { schema: AuditEventsPage } } } },
});

export const verify = v1Route(["auditor"], {
  method: "get",
  path: "/audit/verify",
  tags,
  summary: "Recompute the audit chain and report the first broken link",
  responses: { 200: { description: "Verification", content: { "application/json": { schema: ChainVerification } } } },
});

export type EventsRoute = typeof events;
export type VerifyRoute = typeof verify;
