import { z } from "@hono/zod-openapi";
import { ROLES } from "../../../db/schema/index.js";

export const UNIT = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "a unit id: lower case letters, digits, - and _");

export const CreateApiKeyBody = z
  .object({
    role: z.enum(ROLES),
    units: z.array(UNIT).max(200).default([]),
    name: z
      .string()
      .max(200)
      .regex(/\S/, "a name is required: not empty, not only blanks")
      .regex(/^[^\x00-\x1f\x7f]*$/, "must not contain control characters")
      .openapi({ description: "The person or system the key belongs to" }),
  })
  .refine((b) => b.role !== "inspector" || b.units.length > 0, {
    path: ["units"],
    message: "an inspector key needs at least one unit",
  })
  .openapi("CreateApiKey");

export const ApiKeySchema = z
  .object({
    id: z.string().uuid(),
    prefix: z.string(),
    role: z.enum(ROLES),
    units: z.array(z.string()),
    name: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The secret key. Shown once; only its SHA-256 is stored." }),
}).openapi("CreatedApiKey");

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }) });

type KeyRow = {
  id: string;
  prefix: string;
  role: (typeof ROLES)[number];
  units: string[];
  name: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

/** The public view of a key row (never its hash). */
export const toApiKey = (row: KeyRow): z.infer<typeof ApiKeySchema> => ({
  id: row.id,
  prefix: row.prefix,
  role: row.role,
  units: row.units,
  name: row.name,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});
