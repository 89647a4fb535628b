import { z } from "zod";

/**
 * The feature schema: which attributes of a file the models may use, and how.
 * Shared by the API (PUT /v1/schema), the CSV importer (value checks), the demo generator
 * and the encoder, so that one declaration drives validation, training and scoring.
 */
export const AttributeType = z.enum(["numeric", "categorical", "boolean", "date"]);
export type AttributeType = z.infer<typeof AttributeType>;

/** feature: used by models; segment: used only to split fairness reports; ignore: stored, never used. */
export const AttributeRole = z.enum(["feature", "segment", "ignore"]);
export type AttributeRole = z.infer<typeof AttributeRole>;

/**
 * allow: a missing value is kept as null and the encoder adds a missing indicator (numeric) or a
 * "missing" level (categorical); reject: an import with the value missing is refused.
 */
export const MissingPolicy = z.enum(["allow", "reject"]);
export type MissingPolicy = z.infer<typeof MissingPolicy>;

export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export const AttributeSpec = z.object({
  name: z.string().regex(ATTRIBUTE_NAME, "lower snake case, starting with a letter, at most 63 characters"),
  type: AttributeType,
  role: AttributeRole.default("feature"),
  missing: MissingPolicy.default("allow"),
  description: z.string().max(500).optional(),
  /** The column's header in the exports this attribute comes from, when it differs from the name. */
  header: z.string().min(1).max(200).optional(),
});
export type AttributeSpec = z.infer<typeof AttributeSpec>;

const RESERVED = new Set(["id", "unit"]);

export const FeatureSchemaDefinition = z
  .object({
    attributes: z.array(AttributeSpec).min(1).max(500),
    /** A numeric attribute holding the sum at stake, used to rank control lists by expected yield. */
    amountAttribute: z.string().optional(),
  })
  .superRefine((schema, ctx) => {
    const seen = new Set<string>();
    schema.attributes.forEach((a, i) => {
      if (RESERVED.has(a.name)) {
        ctx.addIssue({ code: "custom", path: ["attributes", i, "name"], message: `"${a.name}" is a reserved column` });
      }
      if (seen.has(a.name)) {
        ctx.addIssue({ code: "custom", path: ["attributes", i, "name"], message: `duplicate attribute "${a.name}"` });
      }
      seen.add(a.name);
    });
    if (schema.amountAttribute !== undefined) {
      const amount = schema.attributes.find((a) => a.name === schema.amountAttribute);
      if (!amount || amount.type !== "numeric") {
        ctx.addIssue({
          code: "custom",
          path: ["amountAttribute"],
          message: "amountAttribute must name a numeric attribute of the schema",
        });
      }
    }
  });
export type FeatureSchemaDefinition = z.infer<typeof FeatureSchemaDefinition>;

/** One attribute value as stored in files.attributes (jsonb): dates are ISO 8601 strings. */
export type AttributeValue = number | string | boolean | null;
export type Attributes = Record<string, AttributeValue>;

/** The attributes a model reads, in schema order (the order fixes the encoded column layout). */
export const featureAttributes = (schema: FeatureSchemaDefinition): AttributeSpec[] =>
  schema.attributes.filter((a) => a.role === "feature");
