import { z } from "zod";

/** A control list as the API answers it, for tests to parse (inspectors' views lack score, route and seed). */
export const Item = z.object({
  position: z.number(),
  fileId: z.string(),
  // Absent from inspectors' views (blind exploration).
  score: z.number().optional(),
  reasons: z.array(z.unknown()),
  status: z.string(),
  assignedTo: z.string().nullable(),
  outcomeId: z.number().nullable(),
  selectedBy: z.enum(["model", "exploration"]).optional(),
  selectionProbability: z.number().optional(),
});
export const List = z.object({
  id: z.string().uuid(),
  unit: z.string(),
  status: z.string(),
  runId: z.string(),
  seed: z.number().optional(), // absent from inspectors' views
  params: z.record(z.string(), z.unknown()),
  items: z.array(Item),
});
