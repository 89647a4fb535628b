import { ModelArtifactError, readArtifactEncoder } from "../../models/artifact-header.js";
import type { EncoderState } from "../../models/encoder-state.js";
import { type ReasonInWords, reasonInWords } from "../../models/reason-words.js";
import type { Db } from "../db/client.js";
import { getSchemaVersion } from "../db/queries/feature-schemas.js";
import { fileAttributes } from "../db/queries/files.js";
import { modelArtifact } from "../db/queries/models.js";
import { rankedPool } from "./ranked-pools.js";

/** What reasons in words need of a model: its encoder (typical values) and its attributes' labels. */
interface ModelWords {
  encodings: Map<string, EncoderState["attributes"][number]>;
  labels: Map<string, string>;
}

/**
 * By model id. A trained model's artifact and schema never change, so nothing here goes stale;
 * the bound only limits memory.
 */
const modelWords = new Map<string, Promise<ModelWords | null>>();
const MODEL_WORDS_MAX = 32;

function wordsOf(db: Db, modelId: string): Promise<ModelWords | null> {
  let words = modelWords.get(modelId);
  if (!words) {
    words = loadModelWords(db, modelId);
    words.catch(() => modelWords.delete(modelId));
    if (modelWords.size >= MODEL_WORDS_MAX) modelWords.delete(modelWords.keys().next().value as string);
    modelWords.set(modelId, words);
  }
  return words;
}

async function loadModelWords(db: Db, modelId: string): Promise<ModelWords | null> {
  const model = await modelArtifact(db, modelId);
  if (!model) return null;
  let encoder: EncoderState;
  try {
    encoder = readArtifactEncoder(model.artifact);
  } catch (error) {
    // A list is still handed out with its stored reasons; the scoring worker is what refuses a bad artifact.
    if (error instanceof ModelArtifactError) return null;
    throw error;
  }
  const schema = model.schemaVersion === null ? null : await getSchemaVersion(db, model.schemaVersion);
  // A column's label is the export's own header when it had one (models/attribute-names.ts).
  const headers = new Map((schema?.definition.attributes ?? []).map((a) => [a.name, a.header]));
  const labels = new Map(encoder.attributes.map((a) => [a.name, headers.get(a.name) ?? a.name.replaceAll("_", " ")]));
  return { encodings: new Map(encoder.attributes.map((a) => [a.name, a])), labels };
}

/** An item to explain: its stored reasons, and its file's attributes when the caller read them already. */
interface ExplainedItem {
  fileId: string;
  reasons: unknown;
  attributes?: Record<string, unknown> | null;
}

/** The items' file attributes by file id: those a list read carried (control-lists.ts), or one query. */
export async function attributesOf(db: Db, items: ExplainedItem[]): Promise<Map<string, Record<string, unknown>>> {
  if (items.every((i) => i.attributes !== undefined)) {
    return new Map(
      items.flatMap((i) => (i.attributes ? [[i.fileId, typeof i.attributes === "string" ? JSON.parse(i.attributes) : i.attributes] as const] : [])),
    );
  }
  return fileAttributes(db, items.map((i) => i.fileId));
}

/**
 * Each item's stored reasons ([attribute, contribution] pairs) in words: the attribute's label,
 * the file's current value, the model's typical training value and the direction, e.g.
 * "turnover 1.2M, above the typical 850K: raises the risk". Keyed by file id.
 */
export async function explainItems(
  db: Db,
  modelId: string,
  items: ExplainedItem[],
  locale = "en",
): Promise<Map<string, ReasonInWords[]>> {
  const words = await wordsOf(db, modelId);
  if (!words || items.length === 0) return new Map();
  const values = await attributesOf(db, items);
  return new Map(
    items.map((item) => [
      item.fileId,
      (item.reasons as [string, number][]).flatMap(([attribute, contribution]) => {
        const encoding = words.encodings.get(attribute);
        if (!encoding) return [];
        const label = words.labels.get(attribute) ?? attribute;
        return [reasonInWords(encoding, { attribute, contribution }, values.get(item.fileId)?.[attribute], { label, locale })];
      }),
    ]),
  );
}

/**
 * Each file's rank by score among the files of the list's unit scored in its run (1 = highest),
 * with the count ranked: "3rd of 50,000". From the run's ranked pool (ranked-pools.ts).
 */
export async function unitRanks(db: Db, list: { runId: string; unit: string }, fileIds: string[]) {
  const pool = await rankedPool(db, { runId: list.runId, unit: list.unit, ranking: "risk", filters: {}, amountAttribute: null });
  const ranks = new Map<string, { rank: number; of: number }>();
  for (const id of fileIds) {
    const at = pool.index.get(id);
    if (at !== undefined) ranks.set(id, { rank: at + 1, of: pool.ids.length });
  }
  return ranks;
}

/** What a list's items show beside their stored fields. */
export interface ItemExtras {
  explanation?: ReasonInWords[];
  unitRank?: { rank: number; of: number };
}

/** Each item's extras: reasons in words for everyone, the unit rank only for the full view. */
export async function itemExtras(
  db: Db,
  list: { modelId: string; runId: string; unit: string },
  items: ExplainedItem[],
  view: "inspector" | "full",
  locale = "en",
): Promise<(item: { fileId: string }) => ItemExtras> {
  const [words, ranks] = await Promise.all([
    explainItems(db, list.modelId, items, locale),
    view === "full" ? unitRanks(db, list, items.map((i) => i.fileId)) : new Map<string, { rank: number; of: number }>(),
  ]);
  return (item) => ({ explanation: words.get(item.fileId) ?? [], unitRank: ranks.get(item.fileId) });
}
