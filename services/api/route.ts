import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { Role } from "../db/schema/index.js";
import { requireRole } from "./middleware/auth.js";

/** The problem+json body, documented once and spread into every route's responses. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          line: z.number().int().optional(),
          column: z.string().optional(),
        }),
      )
      .optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const problemResponses = {
  400: problem("Malformed request: the body is not valid JSON, or is nested too deeply"),
  401: problem("Missing, unknown or revoked API key"),
  403: problem("The key's role or units do not allow this"),
  404: problem("Not found"),
  409: problem("Conflicts with the current state"),
  422: problem("The request does not match its schema; errors[] names each field"),
  500: problem("Unexpected error; quote the requestId"),
} as const;

/**
 * A /v1 route: the contract plus the roles that may call it. The role check is added to the
 * route's middleware here, so no route can forget it, and the roles appear in the OpenAPI document.
 */
export function v1Route<const R extends Omit<RouteConfig, "middleware" | "security"> & { operationId: string }>(
  roles: readonly Role[],
  config: R,
) {
  return createRoute({
    ...config,
    description: `${config.description ?? ""}\n\nRoles: ${roles.join(", ")}`.trim(),
    security: [{ bearer: [] }],
    middleware: [requireRole(roles)] as const,
    responses: { ...problemResponses, ...config.responses },
    "x-roles": roles,
  } as R & { middleware: [ReturnType<typeof requireRole>]; security: { bearer: string[] }[] });
}
