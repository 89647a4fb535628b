import { v1Route } from "../../route.js";
import {
  CsvBody,
  FileDetailSchema,
  FileIdParam,
  FilesImportResultSchema,
  FilesPage,
  FilesWriteResultSchema,
  ImportQuery,
  ListFilesQuery,
  UpsertFilesBody,
} from "./files.schemas.js";

const tags = ["files"];

export const upsert = v1Route(["data_officer"], {
  operationId: "upsertFiles",
  method: "post",
  path: "/files",
  tags,
  summary: "Insert or update up to 5,000 files (by id), all or none",
  request: { body: { content: { "application/json": { schema: UpsertFilesBody } }, required: true } },
  responses: { 200: { description: "Written", content: { "application/json": { schema: FilesWriteResultSchema } } } },
});

export const importCsv = v1Route(["data_officer"], {
  operationId: "importFilesCsv",
  method: "post",
  path: "/files/import",
  tags,
  summary: "Stream a files CSV (columns id, unit and the schema's attributes); upsert by id in one transaction",
  description:
    "The body is streamed (IMPORT_LIMIT_BYTES after decompression, 413 beyond). Values are checked against the current " +
    "schema. all-or-nothing: any bad row gives a 422 problem with the first 100 errors (line, column, reason) and " +
    "nothing is written. skip-invalid: the good rows are written and the bad ones reported. Imports of files run one " +
    "at a time.",
  request: {
    query: ImportQuery,
    body: { content: { "text/csv": { schema: CsvBody }, "application/gzip": { schema: CsvBody } }, required: true },
  },
  responses: { 200: { description: "Imported", content: { "application/json": { schema: FilesImportResultSchema } } } },
});

export const list = v1Route(["data_officer", "auditor", "inspector"], {
  operationId: "listFiles",
  method: "get",
  path: "/files",
  tags,
  summary: "Page through files in id order; inspectors see their units only (403 for another unit)",
  request: { query: ListFilesQuery },
  responses: { 200: { description: "A page", content: { "application/json": { schema: FilesPage } } } },
});

export const get = v1Route(["data_officer", "auditor", "inspector"], {
  operationId: "getFile",
  method: "get",
  path: "/files/{id}",
  tags,
  summary: "One file with its past controls; a file outside an inspector's units is 404, like a missing one",
  request: { params: FileIdParam },
  responses: { 200: { description: "The file", content: { "application/json": { schema: FileDetailSchema } } } },
});

export type UpsertRoute = typeof upsert;
export type ImportCsvRoute = typeof importCsv;
export type ListRoute = typeof list;
export type GetRoute = typeof get;
