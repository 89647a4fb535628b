import { z } from "@hono/zod-openapi";
import { PgIntQuery } from "../../params.js";
import { AttributeType, FeatureSchemaDefinition } from "../../../../models/feature-schema.js";
import type { FeatureSchemaRow } from "../../../db/queries/feature-schemas.js";

/** The body of PUT /v1/schema: the shared definition of models/feature-schema.ts. */
// models/ holds plain zod (no OpenAPI extension there), so the shared schema is used as it is.
export const FeatureSchemaBody = FeatureSchemaDefinition;

export const SchemaVersionSchema = z
  .object({
    version: z.number().int().openapi({ description: "Increases by one with every change; models record it" }),
    definition: FeatureSchemaBody,
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi("FeatureSchema");

export const PutSchemaResult = SchemaVersionSchema.extend({
  created: z.boolean().openapi({ description: "false when the definition equals the current version (nothing changed)" }),
}).openapi("PutFeatureSchemaResult");

export const SchemaQuery = z.object({
  version: PgIntQuery.optional().openapi({ description: "A past version; the current one when absent" }),
});

export const SchemaProposalSchema = z
  .object({
    schema: FeatureSchemaBody,
    sampleRows: z.number().int(),
    columns: z.array(
      z.object({
        name: z.string().openapi({ description: "The attribute name proposed for the column" }),
        header: z.string().openapi({ description: "The column's header as the export writes it (kept in the schema, so the export loads unchanged)" }),
        type: AttributeType,
        rows: z.number().int(),
        missing: z.number().int(),
        distinct: z.number().int(),
        examples: z.array(z.string()),
        note: z.string().optional(),
      }),
    ),
  })
  .openapi("FeatureSchemaProposal");

export const CsvSampleBody = z.string().openapi({
  description: "A files CSV sample: header (id, unit, attributes) and rows; the first 10,000 rows are read",
  example: "id,unit,turnover,sector\nF1,north,12000,retail\n",
});

export const toSchemaVersion = (row: FeatureSchemaRow): z.infer<typeof SchemaVersionSchema> => ({
  version: row.version,
  definition: row.definition,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
});

