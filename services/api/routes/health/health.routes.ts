import { createRoute, z } from "@hono/zod-openapi";

const Check = z.object({ ok: z.boolean(), ms: z.number().optional(), detail: z.string().optional() });

export const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.object({
      postgres: Check.extend({ driver: z.enum(["postgres", "pglite"]) }),
      redis: Check,
      tfjs: Check.extend({ backend: z.string().nullable() }),
    }),
  })
  .openapi("Readiness");

export const healthz = createRoute({
  operationId: "getHealth",
  method: "get",
  path: "/healthz",
  tags: ["health"],
  security: [],
  summary: "Liveness: the process answers",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

export const readyz = createRoute({
  operationId: "getReadiness",
  method: "get",
  path: "/readyz",
  tags: ["health"],
  security: [],
  summary: "Readiness of Postgres, Redis and the tfjs backend",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadinessSchema } } },
    503: { description: "Not ready", content: { "application/json": { schema: ReadinessSchema } } },
  },
});

export type HealthzRoute = typeof healthz;
export type ReadyzRoute = typeof readyz;
