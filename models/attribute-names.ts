import { ATTRIBUTE_NAME, type FeatureSchemaDefinition } from "./feature-schema.js";

/**
 * Real exports name their columns as people do (`MonthlyIncome`, `BusinessTravel`, `Date of birth`,
 * `Région`): each header gets a safe attribute name (lower snake case, ASCII, at most 63
 * characters), and the schema keeps the header beside it, so the same export loads every month
 * unchanged.
 */
export function attributeNameFor(header: string): string {
  const words = header
    .normalize("NFKD")
    .replace(/\p{M}/gu, "") // accents: é → e
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2") // camelCase → camel_Case
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2") // HTTPStatus → HTTP_Status
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const name = /^[a-z]/.test(words) ? words : `c_${words}`;
  return name.slice(0, 63).replace(/_+$/, "") || "column";
}

/** The file's key columns, as their headers may be written (`ID`, `Id`, `Unit`). */
const KEYS = new Set(["id", "unit"]);

/**
 * Resolves a CSV header cell to the name it stands for under `schema`: an attribute's own name, the
 * header the schema recorded for it, or (for the keys) `id` / `unit` however written. Unknown
 * headers come back as written, for the caller to refuse.
 */
export function headerResolver(schema: FeatureSchemaDefinition): (header: string) => string {
  const byHeader = new Map(schema.attributes.filter((a) => a.header !== undefined).map((a) => [a.header?.trim(), a.name]));
  const names = new Set(schema.attributes.map((a) => a.name));
  return (raw) => {
    const header = raw.trim();
    if (names.has(header) || KEYS.has(header)) return header;
    const mapped = byHeader.get(header);
    if (mapped) return mapped;
    const normalized = attributeNameFor(header);
    return KEYS.has(normalized) ? normalized : header;
  };
}

export const isSafeAttributeName = (name: string) => ATTRIBUTE_NAME.test(name);
