import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AttributeValue, type FeatureSchemaDefinition, featureAttributes } from "../../models/feature-schema.js";
import type { TrainingDataSummary } from "../../models/evaluation-schema.js";
import type { TrainingColumns } from "./tasks/train-data.js";

/** One labelled file as readTrainingRows returns it. */
export interface TrainingRow {
  fileId: string;
  controlledAt: string;
  outcome: number;
  selectedBy: string;
  selectionProbability: number | null;
  attributes: Record<string, AttributeValue>;
}

const numeric = (v: AttributeValue | undefined): number => {
  if (typeof v === "number") return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return Number.NaN;
};

/** Segment attributes' values as text, for the fairness report (numbers and booleans as written). */
export const segmentColumns = (schema: FeatureSchemaDefinition, rows: { attributes: Record<string, AttributeValue> }[]) =>
  Object.fromEntries(
    schema.attributes
      .filter((a) => a.role === "segment")
      .map((a) => [a.name, rows.map((r) => (r.attributes[a.name] === null || r.attributes[a.name] === undefined ? null : String(r.attributes[a.name])))]),
  );

/** Builds the columns a training thread takes: feature attributes only, in schema order. */
export function trainingColumns(schema: FeatureSchemaDefinition, rows: TrainingRow[]): TrainingColumns {
  const n = rows.length;
  const columns: TrainingColumns["columns"] = {};
  for (const spec of featureAttributes(schema)) {
    columns[spec.name] =
      spec.type === "numeric"
        ? Float64Array.from(rows, (r) => numeric(r.attributes[spec.name]))
        : rows.map((r) => r.attributes[spec.name] ?? null);
  }
  return {
    nRows: n,
    columns,
    labels: Uint8Array.from(rows, (r) => (r.outcome ? 1 : 0)),
    controlledAt: Float64Array.from(rows, (r) => Date.parse(`${r.controlledAt}T00:00:00Z`)),
    selectionProbability: Float64Array.from(rows, (r) => r.selectionProbability ?? Number.NaN),
    exploration: Uint8Array.from(rows, (r) => (r.selectedBy === "exploration" ? 1 : 0)),
    segments: segmentColumns(schema, rows),
  };
}

/** The training rows in figures for the model card: labels, period, selection mix. */
export function trainingDataSummary(rows: TrainingRow[]): TrainingDataSummary {
  let positives = 0;
  let withPropensity = 0;
  let from: string | null = null;
  let to: string | null = null;
  const selection: Record<string, number> = {};
  for (const r of rows) {
    if (r.outcome) positives++;
    if (r.selectionProbability !== null) withPropensity++;
    selection[r.selectedBy] = (selection[r.selectedBy] ?? 0) + 1;
    if (from === null || r.controlledAt < from) from = r.controlledAt;
    if (to === null || r.controlledAt > to) to = r.controlledAt;
  }
  return {
    labelSource: "the outcome of each file's latest control before the cutoff (1 = irregularity found)",
    rows: rows.length,
    positives,
    negatives: rows.length - positives,
    period: { from, to },
    selection: Object.fromEntries(Object.entries(selection).sort(([a], [b]) => (a < b ? -1 : 1))),
    withPropensity,
  };
}

/** The buffers of a TrainingColumns, to transfer (not copy) into the thread. */
export const transferables = (data: TrainingColumns): ArrayBuffer[] => [
  data.labels.buffer as ArrayBuffer,
  data.controlledAt.buffer as ArrayBuffer,
  data.selectionProbability.buffer as ArrayBuffer,
  data.exploration.buffer as ArrayBuffer,
  ...Object.values(data.columns).flatMap((c) => (c instanceof Float64Array ? [c.buffer as ArrayBuffer] : [])),
];

/**
 * SHA-256 (hex) of the training data in a canonical encoding, so two models can be shown to
 * have learned from the same rows. Encoding (version 1): rows sorted by file id (UTF-16 code
 * unit order); each row is the UTF-8 of
 *   JSON.stringify([fileId, controlledAt, outcome, selectedBy, selectionProbability|null,
 *                   v1, …, vk]) + "\n"
 * where v1…vk are the values of the schema's feature attributes in schema order (null when
 * absent), as stored in files.attributes. Attribute values not used as features are excluded.
 */
export function dataDigest(schema: FeatureSchemaDefinition, rows: TrainingRow[]): string {
  const names = featureAttributes(schema).map((a) => a.name);
  const sorted = rows.slice().sort((a, b) => (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0));
  const hash = createHash("sha256");
  for (const r of sorted) {
    const line = [r.fileId, r.controlledAt, r.outcome, r.selectedBy, r.selectionProbability ?? null, ...names.map((n) => r.attributes[n] ?? null)];
    hash.update(`${JSON.stringify(line)}\n`);
  }
  return hash.digest("hex");
}

const findUp = (start: string, name: string): string => {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      readFileSync(join(dir, name));
      return join(dir, name);
    } catch {
      if (dirname(dir) === dir) throw new Error(`${name} not found above ${start}`);
    }
  }
};

let cached: string | undefined;

/**
 * The code version stored with a model: package.json version + "+" + a build id. The build id is
 * BUILD_ID when the image sets it, else the first 12 hex digits of the SHA-256 over the models/
 * sources (file names sorted, each as name NUL content NUL), so no git is needed at run time and
 * any change to the ML code gives a new id.
 */
export function codeVersion(buildId?: string): string {
  if (cached && !buildId) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(findUp(here, "package.json"), "utf8")) as { version: string };
  let id = buildId;
  if (!id) {
    const modelsDir = join(here, "..", "..", "models");
    const hash = createHash("sha256");
    for (const f of readdirSync(modelsDir).filter((f) => /\.(ts|js)$/.test(f)).sort()) {
      hash.update(`${f}\0`).update(readFileSync(join(modelsDir, f))).update("\0");
    }
    id = hash.digest("hex").slice(0, 12);
  }
  const version = `${pkg.version}+${id}`;
  if (!buildId) cached = version;
  return version;
}
