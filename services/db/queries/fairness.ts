import { sql } from "drizzle-orm";
import type { FairnessReport } from "../../../models/fairness-schema.js";
import { selectionShares, withReference } from "../../../models/fairness.js";
import { FeatureSchemaDefinition } from "../../../models/feature-schema.js";
import { selectionFairnessReport } from "../../../models/selection-fairness.js";
import type { Actor } from "../actor.js";
import { conflict, invalid } from "../../errors.js";
import { type Database, type Db, queryRows } from "../client.js";
import { appendAuditEventAlone } from "./audit-events.js";
import { getCurrentSchema, getSchemaVersion } from "./feature-schemas.js";
import { getModel } from "./models.js";
import { getScoringRun } from "./scoring-runs.js";
import type { ControlListRow } from "./control-lists.js";

/**
 * Fairness of live selections (issue 14): a scoring run's files at a capacity, and a control
 * list's picks against its unit's scored files in the list's run. The figures are computed on
 * read (models/selection-fairness.ts) and each read is an audit event, as a list read is: they
 * reveal who is selected. Outcomes are the latest recorded for each file (run), or those the
 * list's own items recorded (list).
 */

/**
 * A report re-judged against the reference groups an officer chose, each written `attribute:value`
 * (the `reference` query parameter of every fairness route, and the pages' forms, one per
 * attribute). A malformed reference, an attribute that is not segmented or a group it does not
 * have is a 422 naming the field and the possible values; with none chosen, the report as it is
 * (each attribute against its largest group).
 */
export function rejudge(report: FairnessReport, references: string | readonly string[] | undefined): FairnessReport {
  const chosen: Record<string, string> = {};
  for (const reference of typeof references === "string" ? [references] : (references ?? [])) {
    const colon = reference.indexOf(":");
    if (colon < 1) throw invalid("a reference is attribute:value", [{ path: "reference", message: "attribute:value, e.g. region:north" }]);
    const [attribute, value] = [reference.slice(0, colon), reference.slice(colon + 1)];
    const attr = report.attributes.find((a) => a.attribute === attribute);
    if (!attr) {
      throw invalid("unknown attribute", [{ path: "reference", message: `${attribute} is not segmented; one of ${report.attributes.map((a) => a.attribute).join(", ")}` }]);
    }
    if (!attr.groups.some((g) => g.value === value)) {
      throw invalid("unknown group", [{ path: "reference", message: `${attribute} has no group "${value}"; one of ${attr.groups.map((g) => g.value).join(", ")}` }]);
    }
    chosen[attribute] = value;
  }
  return Object.keys(chosen).length > 0 ? withReference(report, chosen) : report;
}

export interface RunFairness {
  runId: string;
  modelId: string;
  report: FairnessReport;
}

export interface ListFairness {
  listId: string;
  runId: string;
  unit: string;
  /** The list's items by route; `outsideRun` are manual picks of files the run did not score (not counted). */
  picks: { model: number; exploration: number; manual: number; outsideRun: number };
  report: FairnessReport;
}

/** The segment attributes of the schema the model was trained on (the current schema for older models). */
async function segmentAttributes(db: Db, modelId: string): Promise<string[]> {
  const model = await getModel(db, modelId);
  const row = model.schemaVersion === null ? await getCurrentSchema(db) : await getSchemaVersion(db, model.schemaVersion);
  const parsed = FeatureSchemaDefinition.safeParse(row?.definition);
  return parsed.success ? parsed.data.attributes.filter((a) => a.role === "segment").map((a) => a.name) : [];
}

/** The run, completed and with its scores kept, or a 409 that says why not. */
async function usableRun(db: Db, runId: string) {
  const { run } = await getScoringRun(db, runId);
  if (run.status !== "completed") throw conflict(`scoring run ${runId} is ${run.status}: fairness needs a completed run`, { runStatus: run.status });
  if (run.progress?.scoresDroppedAt) throw conflict(`the scores of run ${runId} were dropped by retention (${String(run.progress.scoresDroppedAt)})`);
  return run;
}

/** Each segment attribute's value as text (null when missing), as one JSON array per row. */
const segmentArray = (names: string[]) =>
  names.length ? sql`json_build_array(${sql.join(names.map((n) => sql`f.attributes->>${n}`), sql`, `)})` : sql`'[]'::json`;

interface PopulationRow {
  score: number;
  segs: (string | null)[];
  outcome: number | null;
  picked?: string | null;
}

/** Columns of the rows for the pure report: scores, per attribute its values, labels and which are known. */
function columns(rows: PopulationRow[], names: string[]) {
  return {
    scores: Float64Array.from(rows, (r) => Number(r.score)),
    labels: Uint8Array.from(rows, (r) => (Number(r.outcome) === 1 ? 1 : 0)),
    known: Uint8Array.from(rows, (r) => (r.outcome === null ? 0 : 1)),
    segments: Object.fromEntries(names.map((n, j) => [n, rows.map((r) => r.segs[j] ?? null)])),
  };
}

/**
 * The run's files selected at `capacity` (the top share by score, ties pro rata), with the latest
 * outcome of each file where one is recorded. Audited as `scoring_run.fairness.read`, with the
 * report it answered.
 */
export async function readRunFairness(
  database: Database,
  runId: string,
  query: { capacity: number; reference?: string },
  actor: Actor,
  audit: { requestId?: string; via?: string } = {},
): Promise<RunFairness> {
  const { capacity } = query;
  const { db } = database;
  const run = await usableRun(db, runId);
  const names = await segmentAttributes(db, run.modelId);
  const rows = await queryRows<PopulationRow>(
    db,
    // Each file's latest outcome as one pass over outcomes (a few percent of files a year), hash
    // joined to the run's scores, rather than one index probe per scored file.
    sql`with latest as (
          select distinct on (file_id) file_id, outcome from outcomes order by file_id, controlled_at desc, id desc
        )
        select s.score, ${segmentArray(names)} as segs, o.outcome
        from scores s join files f on f.id = s.file_id
        left join latest o on o.file_id = s.file_id
        where s.run_id = ${runId}::uuid
        order by s.file_id`,
  );
  const cols = columns(rows, names);
  const { share, k } = selectionShares(cols.scores, capacity);
  // Re-judged before the read is recorded, so an unknown reference group is a 422 with no event.
  const report = rejudge(selectionFairnessReport({ ...cols, share, k, capacity, labelScope: "population" }), query.reference);
  await appendAuditEventAlone(database, {
    actor,
    action: "scoring_run.fairness.read",
    target: runId,
    // The report as answered goes into the event: a run's figures move as outcomes arrive, so each
    // one produced is stored, append-only and in the chain, beside who read it.
    details: {
      capacity,
      files: report.n,
      labelled: report.labels?.labelled ?? 0,
      ...(query.reference ? { reference: query.reference } : {}),
      ...(audit.via ? { via: audit.via } : {}),
      report,
    },
    requestId: audit.requestId,
  });
  return { runId, modelId: run.modelId, report };
}

/**
 * The list's picks against every file of its unit scored in the list's run (selection rate per
 * group), with the outcomes its items recorded (hit rate and FDR per group). The caller has
 * checked the actor's access to the list's unit. Audited as `control_list.fairness.read`, with the
 * report it answered.
 */
export async function readListFairness(
  database: Database,
  list: ControlListRow,
  query: { reference?: string },
  actor: Actor,
  audit: { requestId?: string; via?: string } = {},
): Promise<ListFairness> {
  const { db } = database;
  const run = await usableRun(db, list.runId);
  const names = await segmentAttributes(db, run.modelId);
  const rows = await queryRows<PopulationRow>(
    db,
    sql`select s.score, ${segmentArray(names)} as segs, i.selected_by as picked, o.outcome
        from scores s join files f on f.id = s.file_id and f.unit = ${list.unit}
        left join control_list_items i on i.list_id = ${list.id}::uuid and i.file_id = s.file_id
        left join outcomes o on o.id = i.outcome_id
        where s.run_id = ${list.runId}::uuid
        order by s.file_id`,
  );
  const [counts] = await queryRows<{ model: number; exploration: number; manual: number; outside: number }>(
    db,
    sql`select count(*) filter (where selected_by = 'model')::int as model,
               count(*) filter (where selected_by = 'exploration')::int as exploration,
               count(*) filter (where selected_by = 'manual')::int as manual,
               count(*) filter (where not exists (select 1 from scores s where s.run_id = ${list.runId}::uuid and s.file_id = i.file_id))::int as outside
        from control_list_items i where i.list_id = ${list.id}::uuid`,
  );
  const cols = columns(rows, names);
  const share = Float64Array.from(rows, (r) => (r.picked ? 1 : 0));
  const k = rows.filter((r) => r.picked).length;
  const report = rejudge(selectionFairnessReport({ ...cols, share, k, capacity: rows.length ? k / rows.length : 0, labelScope: "selection" }), query.reference);
  await appendAuditEventAlone(database, {
    actor,
    action: "control_list.fairness.read",
    target: list.id,
    details: {
      unit: list.unit,
      runId: list.runId,
      files: report.n,
      picks: k,
      labelled: report.labels?.labelled ?? 0,
      ...(query.reference ? { reference: query.reference } : {}),
      ...(audit.via ? { via: audit.via } : {}),
      report,
    },
    requestId: audit.requestId,
  });
  return {
    listId: list.id,
    runId: list.runId,
    unit: list.unit,
    picks: { model: counts.model, exploration: counts.exploration, manual: counts.manual, outsideRun: counts.outside },
    report,
  };
}
