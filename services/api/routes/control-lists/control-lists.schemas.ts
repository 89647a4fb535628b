import { z } from "@hono/zod-openapi";
import { AmountFound, ControlDate, FileIdText } from "../../params.js";
import type { ControlListItemView, ControlListRow } from "../../../db/queries/control-lists.js";
import { MAX_CAPACITY } from "../../../lists/create-list.js";
import { RANKINGS } from "../../../lists/select.js";
import { UNIT } from "../api-keys/api-keys.schemas.js";
import { blindReasons, expandReasons, ReasonInWordsSchema, ReasonSchema } from "../../reasons.js";
import type { ItemExtras } from "../../../lists/explain-items.js";
import type { ItemView } from "../../../lists/inspector-view.js";
import { ITEM_STATUSES } from "../../../db/schema/control-lists.js";
import { FairnessQuery, FairnessReportApi } from "../models/evidence.schemas.js";

export const CreateControlListBody = z
  .object({
    unit: UNIT,
    capacity: z.number().int().min(1).max(MAX_CAPACITY).openapi({ description: `How many controls; 1..${MAX_CAPACITY}` }),
    explorationShare: z
      .number()
      .min(0)
      .lt(1, "the exploration share must be below 1")
      .default(0.1)
      .openapi({ description: "Share of picks drawn uniformly from the eligible files the model did not pick: nExplore = floor(k × share)" }),
    exclusionDays: z.number().int().min(0).max(3650).default(365).openapi({ description: "Files controlled in the last N days are not eligible" }),
    ranking: z.enum(RANKINGS).default("risk").openapi({ description: "risk: by score; yield: by score × the schema's amount attribute" }),
    filters: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/), z.array(z.string().max(200)).min(1).max(100))
      .default({})
      .openapi({ description: "Categorical attribute → accepted values" }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  })
  .openapi("CreateControlList");

export const ControlListSchema = z
  .object({
    id: z.string().uuid(),
    unit: z.string(),
    status: z.enum(["open", "closed"]),
    runId: z.string().uuid(),
    modelId: z.string().uuid(),
    seed: z.number().int().optional().openapi({ description: "Not shown to inspectors: with the code, it would recompute which picks were exploration" }),
    params: z.record(z.string(), z.unknown()),
    createdBy: z.string(),
    createdAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi("ControlList");

export const ControlListItemSchema = z
  .object({
    position: z.number().int().optional().openapi({
      description: "Place in the list as shown: by score for auditors; a fixed shuffle for inspectors (absent on single-item answers to them)",
    }),
    fileId: z.string(),
    score: z.number().nullable().optional().openapi({ description: "Not shown to inspectors; null for a file added by hand that the run did not score" }),
    reasons: z.array(ReasonSchema),
    explanation: z.array(ReasonInWordsSchema).optional().openapi({
      description: "The reasons in words, with the file's values (on list reads and creations)",
    }),
    unitRank: z
      .object({ rank: z.number().int(), of: z.number().int() })
      .optional()
      .openapi({ description: "Not shown to inspectors: rank by score among the unit's files scored in the list's run (1 = riskiest)" }),
    status: z.enum(ITEM_STATUSES),
    note: z.string().nullable().optional().openapi({ description: "Why the file was added by hand or skipped" }),
    assignedTo: z.string().nullable(),
    outcomeId: z.number().int().nullable(),
    selectedBy: z.enum(["model", "exploration", "manual"]).optional().openapi({ description: "Auditor view only" }),
    selectionProbability: z.number().nullable().optional().openapi({ description: "Auditor view only; null for manual picks" }),
  })
  .openapi("ControlListItem");

export const ControlListWithItemsSchema = ControlListSchema.extend({ items: z.array(ControlListItemSchema) }).openapi(
  "ControlListWithItems",
);

export const ControlListEntrySchema = ControlListSchema.extend({ items: z.number().int(), done: z.number().int() }).openapi(
  "ControlListEntry",
);

export const ListControlListsQuery = z.object({
  mine: z.enum(["true", "false"]).optional().openapi({ description: "Only lists I created" }),
  unit: UNIT.optional(),
  status: z.enum(["open", "closed"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ListIdParam = z.object({ id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }) });
export const ItemParam = ListIdParam.extend({
  fileId: FileIdText.openapi({ param: { name: "fileId", in: "path" } }),
});

export const ReadQuery = z.object({
  format: z.enum(["json", "csv"]).optional(),
  attributes: z
    .string()
    .max(2000)
    .regex(/^[a-z0-9_,]*$/, "attribute names separated by commas")
    .optional()
    .openapi({ description: "CSV: the file attributes to add as columns, comma separated (default: the schema's first 8 features and segments)" }),
  bom: z.enum(["true", "false"]).optional().openapi({ description: "CSV: start with a UTF-8 byte order mark (for spreadsheets)" }),
});

export const RecordOutcomeBody = z
  .object({
    outcome: z.union([z.literal(0), z.literal(1)]),
    // The same rules as the bulk imports (services/api/params.ts).
    amount: AmountFound.nullable().optional(),
    controlledAt: ControlDate.optional().openapi({ description: "Defaults to today (UTC)" }),
    notes: z.string().max(4000).nullable().optional(),
  })
  .openapi("RecordOutcome");

export const ItemSkippedSchema = z.object({ item: ControlListItemSchema, listClosed: z.boolean() }).openapi("ItemSkipped");

export const OutcomeRecordedSchema = z
  .object({ item: ControlListItemSchema, outcomeId: z.number().int(), listClosed: z.boolean() })
  .openapi("OutcomeRecorded");

const Reason = z.string().trim().min(10, "say why in at least 10 characters").max(2000);

export const AddItemBody = z.object({ fileId: FileIdText, reason: Reason }).openapi("AddControlListItem");
export const SkipItemBody = z.object({ reason: Reason }).openapi("SkipControlListItem");

const SummaryPart = z.object({
  items: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  pending: z.number().int(),
  hits: z.number().int(),
  hitRate: z.number().nullable(),
});
export const SummarySchema = z
  .object({
    id: z.string().uuid(),
    status: z.enum(["open", "closed"]),
    total: SummaryPart,
    model: SummaryPart.optional().openapi({ description: "Not shown to inspectors" }),
    exploration: SummaryPart.optional().openapi({ description: "Not shown to inspectors" }),
    manual: SummaryPart.openapi({ description: "Files added by hand" }),
  })
  .openapi("ControlListSummary");

/**
 * A list row as `view` may see it. The seed fixes which slots went to exploration (select.ts is
 * deterministic, and public): an inspector who had it could tell the picks apart, so it is left out.
 */
export const toControlList = (row: ControlListRow, view: ItemView = "full"): z.infer<typeof ControlListSchema> => ({
  id: row.id,
  unit: row.unit,
  status: row.status,
  runId: row.runId,
  modelId: row.modelId,
  ...(view === "full" ? { seed: row.seed } : {}),
  params: row.params,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  closedAt: row.closedAt?.toISOString() ?? null,
});

/**
 * An item as `view` may see it (services/lists/inspector-view.ts): inspectors never see how a file
 * was picked, nor its score or rank; auditors and admins see the stored provenance. `position`
 * false leaves it out (an inspector's single-item answers: the stored one is the rank).
 */
export function toControlListItem(
  row: ControlListItemView,
  view: ItemView,
  position = true,
  extras: ItemExtras = {},
): z.infer<typeof ControlListItemSchema> {
  // Built field by field: conditional spreads here cost 25x more per item (0.5 ms per 50-item
  // list in a micro-measure), most of a read's CPU.
  if (view === "inspector") {
    const item = {} as z.infer<typeof ControlListItemSchema>;
    if (position) item.position = row.position;
    item.fileId = row.fileId;
    item.reasons = blindReasons(row.reasons);
    if (extras.explanation) item.explanation = extras.explanation;
    item.status = row.status;
    item.note = row.note;
    item.assignedTo = row.assignedTo;
    item.outcomeId = row.outcomeId;
    return item;
  }
  const item: z.infer<typeof ControlListItemSchema> = {
    position: row.position,
    fileId: row.fileId,
    score: row.score,
    reasons: expandReasons(row.reasons),
  } as z.infer<typeof ControlListItemSchema>;
  if (extras.explanation) item.explanation = extras.explanation;
  if (extras.unitRank) item.unitRank = extras.unitRank;
  item.status = row.status;
  item.note = row.note;
  item.assignedTo = row.assignedTo;
  item.outcomeId = row.outcomeId;
  item.selectedBy = row.selectedBy;
  item.selectionProbability = row.selectionProbability;
  return item;
}

export const ListFairnessQuery = FairnessQuery.pick({ reference: true });

export const ListFairnessSchema = z
  .object({
    listId: z.string().uuid(),
    runId: z.string().uuid(),
    unit: z.string(),
    population: z.literal("control-list"),
    picks: z
      .object({ model: z.number().int(), exploration: z.number().int(), manual: z.number().int(), outsideRun: z.number().int() })
      .openapi({ description: "The list's items by route; outsideRun: manual picks of files the run did not score (left out of the figures)" }),
    report: FairnessReportApi,
  })
  .openapi("ListFairness");
