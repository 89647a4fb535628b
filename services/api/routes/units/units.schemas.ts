import { z } from "@hono/zod-openapi";
import type { UnitSummary } from "../../../db/queries/units.js";

export const UnitSchema = z
  .object({
    unit: z.string(),
    files: z.number().int(),
    openLists: z.number().int(),
    lastRun: z
      .object({ id: z.string().uuid(), finishedAt: z.string().nullable() })
      .nullable()
      .openapi({ description: "The latest completed scoring run covering the unit (the source of its next list)" }),
  })
  .openapi("Unit");

export const UnitsSchema = z.object({ items: z.array(UnitSchema) }).openapi("Units");

export const toUnit = (u: UnitSummary): z.infer<typeof UnitSchema> => ({
  ...u,
  lastRun: u.lastRun ? { id: u.lastRun.id, finishedAt: u.lastRun.finishedAt?.toISOString() ?? null } : null,
});
