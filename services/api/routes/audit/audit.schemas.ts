import { z } from "@hono/zod-openapi";

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
  action: z.string().max(100).optional().openapi({ description: "Exact action, or a family ending in * (model.*)" }),
  actor: z.string().max(100).optional(),
  target: z.string().max(200).optional(),
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
