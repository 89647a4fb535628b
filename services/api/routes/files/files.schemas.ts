import { z } from "@hono/zod-openapi";
import type { ItemView } from "../../../lists/inspector-view.js";
import { FileIdText, SearchText } from "../../params.js";
import { SELECTED_BY } from "../../../db/schema/index.js";
import { IMPORT_MODES } from "../../../ingest/csv-import.js";
import { FILES_BATCH_LIMIT } from "../../../ingest/import-files.js";

const AttributeValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const FileInputSchema = z
  .object({
    id: z.string().min(1).max(200),
    unit: z.string().min(1).max(63),
    attributes: z.record(z.string(), AttributeValueSchema).openapi({
      description: "Values by attribute name, typed as the schema says: numbers, booleans, strings (categories, ISO dates), null",
    }),
  })
  .openapi("FileInput");

export const UpsertFilesBody = z
  .object({ files: z.array(FileInputSchema).min(1).max(FILES_BATCH_LIMIT) })
  .openapi("UpsertFiles", { description: `At most ${FILES_BATCH_LIMIT} files per request; use POST /v1/files/import for more` });

export const FilesWriteResultSchema = z
  .object({
    rows: z.number().int(),
    inserted: z.number().int(),
    updated: z.number().int().openapi({ description: "Known ids whose unit or attributes changed, and were replaced" }),
    unchanged: z.number().int().openapi({ description: "Known ids sent again exactly as stored: nothing was written for them" }),
    rejected: z.number().int(),
    schemaVersion: z.number().int(),
  })
  .openapi("FilesWriteResult");

const ImportErrorSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.string().optional(),
});

export const FilesImportResultSchema = FilesWriteResultSchema.extend({
  mode: z.enum(IMPORT_MODES),
  errors: z.array(ImportErrorSchema).openapi({ description: "skip-invalid: the first 100 errors of the rows left out" }),
}).openapi("FilesImportResult");

export const ImportQuery = z.object({
  mode: z.enum(IMPORT_MODES).default("all-or-nothing").openapi({
    description: "all-or-nothing (default): any bad row refuses the import; skip-invalid: write the good rows, report the bad",
  }),
});

export const CsvBody = z.string().openapi({ description: "CSV with a header row; gzip with Content-Encoding: gzip or as application/gzip" });

export const FileSchema = z
  .object({
    id: z.string(),
    unit: z.string(),
    attributes: z.record(z.string(), AttributeValueSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("File");

export const FileOutcomeSchema = z
  .object({
    id: z.number().int(),
    controlledAt: z.string(),
    outcome: z.number().int(),
    amount: z.number().nullable(),
    selectedBy: z.enum(SELECTED_BY).optional().openapi({ description: "Not shown to inspectors (blind exploration)" }),
    selectionProbability: z.number().nullable().optional().openapi({ description: "Not shown to inspectors (blind exploration)" }),
    controlListId: z.string().nullable(),
    inspector: z.string().nullable(),
    notes: z.string().nullable(),
    recordedBy: z.string(),
    recordedAt: z.string(),
  })
  .openapi("FileOutcome");

export const FileDetailSchema = FileSchema.extend({ outcomes: z.array(FileOutcomeSchema) }).openapi("FileDetail");

export const ListFilesQuery = z.object({
  unit: z.string().max(63).optional().openapi({ description: "Only this unit (an inspector: one of the key's units)" }),
  after: SearchText(200).optional().openapi({ description: "Return files whose id sorts after this (nextAfter of the previous page)" }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const FilesPage = z.object({ items: z.array(FileSchema), nextAfter: z.string().nullable() }).openapi("FilesPage");

export const FileIdParam = z.object({ id: FileIdText.openapi({ param: { name: "id", in: "path" } }) });

type FileRecord = { id: string; unit: string; attributes: Record<string, number | string | boolean | null>; createdAt: Date; updatedAt: Date };

export const toFile = (row: FileRecord): z.infer<typeof FileSchema> => ({
  id: row.id,
  unit: row.unit,
  attributes: row.attributes,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

type OutcomeRecord = Omit<z.infer<typeof FileOutcomeSchema>, "recordedAt"> & { recordedAt: Date };

/** An outcome as `view` may see it: inspectors never see how the file was selected. */
export const toFileOutcome = (row: OutcomeRecord, view: ItemView = "full"): z.infer<typeof FileOutcomeSchema> => {
  const { selectedBy, selectionProbability, ...rest } = row;
  return { ...rest, ...(view === "full" ? { selectedBy, selectionProbability } : {}), recordedAt: row.recordedAt.toISOString() };
};
