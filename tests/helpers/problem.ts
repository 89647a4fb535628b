import { expect } from "vitest";
import { z } from "zod";

/** The RFC 9457 body every error must have (services/api/problem.ts). */
export const ProblemBody = z.object({
  type: z.string().url(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  requestId: z.string().min(1),
  errors: z
    .array(z.object({ path: z.string(), message: z.string(), line: z.number().optional(), column: z.string().optional() }))
    .optional(),
});
export type ProblemBody = z.infer<typeof ProblemBody>;

/** Asserts the response is a problem+json of this status, and returns it parsed. */
export async function expectProblem(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = ProblemBody.parse(await response.json());
  expect(body.status).toBe(status);
  return body;
}
