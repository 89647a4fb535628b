import { v1Route } from "../../route.js";
import { z } from "@hono/zod-openapi";
import {
  AuditEventsPage,
  AuditEventsQuery,
  CheckpointVerificationSchema,
  SignedCheckpointSchema,
  VerifyCheckpointBody,
  ChainVerification,
  FileIdParam,
  FileScoresSchema,
  RunVerification,
  VerifyQuery,
} from "./audit.schemas.js";

const tags = ["audit"];

export const events = v1Route(["auditor"], {
  operationId: "listAuditEvents",
  method: "get",
  path: "/audit/events",
  tags,
  summary: "Page through the audit events in chain order",
  request: { query: AuditEventsQuery },
  responses: { 200: { description: "A page", content: { "application/json": { schema: AuditEventsPage } } } },
});

export const verify = v1Route(["auditor"], {
  operationId: "verifyAuditTrail",
  method: "get",
  path: "/audit/verify",
  tags,
  summary: "Recompute the audit chain (or, with ?run=ID, a scoring run's chunk and root digests) and report what differs",
  request: { query: VerifyQuery },
  responses: {
    200: {
      description: "Verification: ChainVerification, or RunVerification with ?run",
      content: { "application/json": { schema: z.union([ChainVerification, RunVerification]) } },
    },
  },
});

export const checkpoint = v1Route(["auditor", "admin"], {
  operationId: "createAuditCheckpoint",
  method: "get",
  path: "/audit/checkpoint",
  tags,
  summary: "Sign the audit chain's head now: keep the answer outside this service, to verify against later",
  responses: { 200: { description: "A signed checkpoint and the public key", content: { "application/json": { schema: SignedCheckpointSchema } } } },
});

export const verifyCheckpoint = v1Route(["auditor"], {
  operationId: "verifyAuditAgainstCheckpoint",
  method: "post",
  path: "/audit/verify",
  tags,
  summary: "Verify the chain against a checkpoint saved earlier: detects truncation, rehashing and inserted events",
  request: { body: { content: { "application/json": { schema: VerifyCheckpointBody } }, required: true } },
  responses: {
    200: { description: "The verification", content: { "application/json": { schema: CheckpointVerificationSchema } } },
  },
});

export const fileScores = v1Route(["auditor"], {
  operationId: "listFileScores",
  method: "get",
  path: "/audit/files/{fileId}/scores",
  tags,
  summary: "Every score a file ever got, newest first, with model, run, reasons and time",
  request: { params: FileIdParam },
  responses: { 200: { description: "Scores", content: { "application/json": { schema: FileScoresSchema } } } },
});

export type EventsRoute = typeof events;
export type VerifyRoute = typeof verify;
export type CheckpointRoute = typeof checkpoint;
export type VerifyCheckpointRoute = typeof verifyCheckpoint;
export type FileScoresRoute = typeof fileScores;
