import { z } from "@hono/zod-openapi";
import { FileIdText, SearchText } from "../../params.js";
import { ReasonSchema } from "../../reasons.js";

export const AuditEventSchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    role: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEvent");

export const AuditEventsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().openapi({ description: "Return events with id greater than this" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: SearchText(100).optional().openapi({ description: "Exact action, or a family ending in * (model.*)" }),
  actor: SearchText(100).optional(),
  target: SearchText(200).optional(),
});

export const AuditEventsPage = z
  .object({ items: z.array(AuditEventSchema), nextAfter: z.number().int().nullable() })
  .openapi("AuditEventsPage");

export const ChainVerification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    firstBroken: z
      .object({
        id: z.number().int(),
        reason: z.enum(["hash_mismatch", "prev_hash_mismatch", "id_gap"]),
        storedHash: z.string(),
        expectedHash: z.string(),
      })
      .nullable(),
  })
  .openapi("ChainVerification");

export const VerifyQuery = z.object({
  run: z
    .string()
    .uuid()
    .optional()
    .openapi({ description: "Verify this scoring run's chunk and root digests instead of the event chain" }),
});

export const RunVerification = z
  .object({
    ok: z.boolean(),
    runId: z.string().uuid(),
    status: z.string(),
    chunks: z.number().int(),
    rows: z.number().int(),
    rowsOutsideChunks: z.number().int(),
    storedRootDigest: z.string().nullable(),
    recomputedRootDigest: z.string().nullable(),
    rootOk: z.boolean().nullable().openapi({ description: "null while the run has no root digest (not completed)" }),
    chainedRootDigest: z.string().nullable().openapi({ description: "The root digest the run's completion event holds in the hash chain" }),
    chainOk: z.boolean().nullable().openapi({ description: "The recomputed root equals the chained one (null while the run is not completed)" }),
    mismatchedChunks: z.array(
      z.object({
        chunkNo: z.number().int(),
        firstFileId: z.string(),
        lastFileId: z.string(),
        storedDigest: z.string().nullable(),
        recomputedDigest: z.string(),
        storedRows: z.number().int(),
        recordedRows: z.number().int(),
      }),
    ),
  })
  .openapi("RunVerification");

export const FileIdParam = z.object({
  fileId: FileIdText.openapi({ param: { name: "fileId", in: "path" } }),
});

export const FileScoreSchema = z
  .object({
    runId: z.string().uuid(),
    modelId: z.string().uuid(),
    modelSha256: z.string(),
    modelName: z.string().nullable(),
    shadow: z.boolean(),
    runStatus: z.string(),
    score: z.number(),
    reasons: z.array(ReasonSchema),
    inputDigest: z.string(),
    createdAt: z.string(),
  })
  .openapi("FileScore");

export const FileScoresSchema = z
  .object({ fileId: z.string(), items: z.array(FileScoreSchema) })
  .openapi("FileScores");

export const CheckpointSchema = z
  .object({
    v: z.literal(1),
    count: z.number().int().min(0).openapi({ description: "Events in the chain when signed (ids 1..count)" }),
    headHash: z.string().regex(/^[0-9a-f]{64}$/),
    at: z.string().datetime(),
    keyId: z.string().regex(/^[0-9a-f]{16}$/).openapi({ description: "First 16 hex of the SHA-256 of the signing public key" }),
    signature: z.string().max(200).openapi({ description: "Ed25519, base64, over the JSON array [\"cts-audit-checkpoint\", v, count, headHash, at, keyId]" }),
  })
  .openapi("AuditCheckpoint");

export const SignedCheckpointSchema = z
  .object({
    checkpoint: CheckpointSchema,
    publicKey: z.string().openapi({ description: "The signing public key (SPKI PEM), to check the signature offline" }),
  })
  .openapi("SignedAuditCheckpoint");

export const VerifyCheckpointBody = z.object({ checkpoint: CheckpointSchema }).openapi("VerifyAgainstCheckpoint");

export const CheckpointVerificationSchema = z
  .object({
    ok: z.boolean(),
    signatureOk: z.boolean(),
    chainOk: z.boolean(),
    checked: z.number().int(),
    truncated: z.boolean(),
    headHashMatches: z.boolean().nullable(),
    findings: z.array(z.string()).openapi({ description: "What does not hold, in words" }),
  })
  .openapi("CheckpointVerification");
