import { and, eq, notInArray, sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { conflict, notFound } from "../../errors.js";
import { type Db, queryRows } from "../client.js";
import { controlListItems, controlLists, outcomes } from "../schema/index.js";
import { appendAuditEvent } from "./audit-events.js";
import { type ControlListItemRow, ITEM_ROW_COLUMNS, lockControlList } from "./control-lists.js";

/** The item of `fileId` on `listId`, locked for the rest of the transaction, or a 404. */
async function lockItem(tx: Db, listId: string, fileId: string): Promise<ControlListItemRow> {
  const [item] = await tx
    .select()
    .from(controlListItems)
    .where(and(eq(controlListItems.listId, listId), eq(controlListItems.fileId, fileId)))
    .for("update");
  if (!item) throw notFound(`file ${fileId} on control list ${listId}`);
  return item;
}

export type ItemTransition = "claim" | "start";

/**
 * Claims an item (assigned_to = the caller) or marks it in progress. Idempotent for the same
 * inspector; 409 when someone else holds it or when it is done.
 */
export async function transitionItem(
  db: Db,
  params: { listId: string; fileId: string; to: ItemTransition },
  actor: Actor,
  requestId?: string,
): Promise<ControlListItemRow> {
  return db.transaction(async (tx) => {
    const list = await lockControlList(tx, params.listId);
    if (list.status === "closed") throw conflict(`control list ${params.listId} is closed`);
    const item = await lockItem(tx, params.listId, params.fileId);
    if (item.status === "done" || item.status === "skipped") throw conflict(`file ${params.fileId} is already ${item.status} on this list`);
    if (item.assignedTo && item.assignedTo !== actor.id) {
      throw conflict(`file ${params.fileId} is claimed by ${item.assignedTo}`, { assignedTo: item.assignedTo });
    }
    const already = params.to === "claim" ? item.status !== "pending" : item.status === "in_progress";
    if (already) return item;
    const now = new Date();
    const [updated] = await tx
      .update(controlListItems)
      .set(
        params.to === "claim"
          ? { status: "claimed", assignedTo: actor.id, claimedAt: now }
          : { status: "in_progress", assignedTo: actor.id, claimedAt: item.claimedAt ?? now, startedAt: now },
      )
      .where(and(eq(controlListItems.listId, params.listId), eq(controlListItems.fileId, params.fileId)))
      .returning();
    await appendAuditEvent(tx, {
      actor,
      action: `control_list.item.${params.to}`,
      target: params.listId,
      details: { fileId: params.fileId },
      requestId,
    });
    return updated;
  });
}

export interface OutcomeInput {
  listId: string;
  fileId: string;
  outcome: 0 | 1;
  amount?: number | null;
  controlledAt?: string;
  notes?: string | null;
}

/**
 * Closes an item with what the control found: exactly one outcomes row, whose selected_by,
 * selection_probability and control_list_id are copied from the item, so that training and
 * evaluation can weight it by inverse propensity. The list closes with its last item. 409 when
 * the item already has an outcome (the row lock makes a concurrent second call wait, then see it).
 */
export async function recordItemOutcome(
  db: Db,
  input: OutcomeInput,
  actor: Actor,
  requestId?: string,
): Promise<{ item: ControlListItemRow; outcomeId: number; listClosed: boolean }> {
  return db.transaction(async (tx) => {
    const list = await lockControlList(tx, input.listId);
    const item = await lockItem(tx, input.listId, input.fileId);
    if (item.status === "done") {
      throw conflict(`an outcome for file ${input.fileId} is already recorded on this list`, { outcomeId: item.outcomeId });
    }
    if (item.status === "skipped") throw conflict(`file ${input.fileId} was skipped on this list: "${item.note}"`);
    if (list.status === "closed") throw conflict(`control list ${input.listId} is closed`);
    if (item.assignedTo && item.assignedTo !== actor.id) {
      throw conflict(`file ${input.fileId} is claimed by ${item.assignedTo}`, { assignedTo: item.assignedTo });
    }
    const [row] = await tx
      .insert(outcomes)
      .values({
        fileId: input.fileId,
        // The file's unit as the trigger of migration 0021 checks it (the list's unit, unless the file moved).
        unit: sql`(select unit from files where id = ${input.fileId})`,
        controlledAt: input.controlledAt ?? sql`current_date`,
        outcome: input.outcome,
        amount: input.amount ?? null,
        selectedBy: item.selectedBy,
        selectionProbability: item.selectionProbability,
        controlListId: input.listId,
        inspector: actor.id,
        notes: input.notes ?? null,
        recordedBy: actor.id,
      })
      .returning({ id: outcomes.id });
    const now = new Date();
    const [updated] = await tx
      .update(controlListItems)
      .set({ status: "done", assignedTo: item.assignedTo ?? actor.id, outcomeId: row.id, doneAt: now })
      .where(and(eq(controlListItems.listId, input.listId), eq(controlListItems.fileId, input.fileId)))
      .returning();
    const listClosed = await closeIfFinished(tx, input.listId, now);
    await appendAuditEvent(tx, {
      actor,
      action: "control_list.outcome",
      target: input.listId,
      details: { fileId: input.fileId, outcomeId: row.id, outcome: input.outcome, listClosed },
      requestId,
    });
    return { item: updated, outcomeId: row.id, listClosed };
  });
}

/** Closes the list when none of its items is still to do (done or skipped); says whether it did. */
async function closeIfFinished(tx: Db, listId: string, now: Date): Promise<boolean> {
  const [open] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(controlListItems)
    .where(and(eq(controlListItems.listId, listId), notInArray(controlListItems.status, ["done", "skipped"])));
  if (open.n > 0) return false;
  await tx.update(controlLists).set({ status: "closed", closedAt: now }).where(eq(controlLists.id, listId));
  return true;
}

/**
 * Adds a file of the list's unit to an open list by hand, last, with the inspector's reason. It is
 * a `manual` pick: no selection probability (estimates that weight by propensity leave it out), and
 * the score and reasons of the list's run when it scored the file. 404 for a file outside the
 * unit; 409 when it is on this list already or pending on another open list of the unit.
 */
export async function addManualItem(
  db: Db,
  params: { listId: string; fileId: string; note: string },
  actor: Actor,
  requestId?: string,
): Promise<ControlListItemRow> {
  return db.transaction(async (tx) => {
    const list = await lockControlList(tx, params.listId);
    if (list.status === "closed") throw conflict(`control list ${params.listId} is closed`);
    const [found] = await queryRows<{ in_unit: boolean; on_list: string | null; last: number }>(
      tx,
      sql`select exists (select 1 from files f where f.id = ${params.fileId} and f.unit = ${list.unit}) as in_unit,
                 (select l.id from control_lists l join control_list_items i on i.list_id = l.id
                   where i.file_id = ${params.fileId} and l.unit = ${list.unit} and l.status = 'open'
                     and (l.id = ${params.listId} or i.status not in ('done', 'skipped')) limit 1) as on_list,
                 (select coalesce(max(position), 0) from control_list_items where list_id = ${params.listId})::int as last`,
    );
    if (!found.in_unit) throw notFound(`file ${params.fileId} of unit ${list.unit}`);
    if (found.on_list) throw conflict(`file ${params.fileId} is already on open list ${found.on_list}`, { listId: found.on_list });
    const [item] = await queryRows<ControlListItemRow>(
      tx,
      sql`insert into control_list_items (list_id, file_id, position, score, selected_by, selection_probability, reasons, note)
          select ${params.listId}, ${params.fileId}, ${found.last + 1}, s.score, 'manual', null, coalesce(s.reasons, '[]'::jsonb), ${params.note}
          from (select 1) one left join scores s on s.run_id = ${list.runId} and s.file_id = ${params.fileId}
          returning ${ITEM_ROW_COLUMNS}`,
    );
    await appendAuditEvent(tx, {
      actor,
      action: "control_list.item.add",
      target: params.listId,
      details: { fileId: params.fileId, position: item.position, note: params.note },
      requestId,
    });
    return item;
  });
}

/**
 * Skips an item with the inspector's reason: it will not be controlled on this list, frees the
 * file for later lists, and counts as finished when the list closes. Idempotent; 409 once it has
 * an outcome or when someone else holds it.
 */
export async function skipItem(
  db: Db,
  params: { listId: string; fileId: string; note: string },
  actor: Actor,
  requestId?: string,
): Promise<{ item: ControlListItemRow; listClosed: boolean }> {
  return db.transaction(async (tx) => {
    const list = await lockControlList(tx, params.listId);
    const item = await lockItem(tx, params.listId, params.fileId);
    if (item.status === "skipped") return { item, listClosed: list.status === "closed" };
    if (item.status === "done") throw conflict(`an outcome for file ${params.fileId} is already recorded on this list`, { outcomeId: item.outcomeId });
    if (list.status === "closed") throw conflict(`control list ${params.listId} is closed`);
    if (item.assignedTo && item.assignedTo !== actor.id) {
      throw conflict(`file ${params.fileId} is claimed by ${item.assignedTo}`, { assignedTo: item.assignedTo });
    }
    const now = new Date();
    const [updated] = await tx
      .update(controlListItems)
      .set({ status: "skipped", note: params.note, assignedTo: item.assignedTo ?? actor.id, doneAt: now })
      .where(and(eq(controlListItems.listId, params.listId), eq(controlListItems.fileId, params.fileId)))
      .returning();
    const listClosed = await closeIfFinished(tx, params.listId, now);
    await appendAuditEvent(tx, {
      actor,
      action: "control_list.item.skip",
      target: params.listId,
      details: { fileId: params.fileId, note: params.note, listClosed },
      requestId,
    });
    return { item: updated, listClosed };
  });
}

export interface SummaryPart {
  items: number;
  done: number;
  skipped: number;
  pending: number;
  hits: number;
  hitRate: number | null;
}

/** Progress and hit rate so far of a list, overall and split by model and exploration picks. */
export async function summarizeControlList(db: Db, listId: string) {
  const rows = await queryRows<{ selected_by: "model" | "exploration" | "manual"; items: number; done: number; skipped: number; hits: number }>(
    db,
    // The hit test is a correlated primary-key probe per item, written as a scalar subquery: a
    // join, and also an EXISTS (planned as a hashed subplan), made the planner read and hash every
    // positive outcome for a list of at most 1000 items (≈ 8 ms at 50,000 outcomes).
    sql`select i.selected_by, count(*)::int as items, count(*) filter (where i.status = 'done')::int as done,
               count(*) filter (where i.status = 'skipped')::int as skipped,
               count(*) filter (where (select o.outcome from outcomes o where o.id = i.outcome_id) = 1)::int as hits
        from control_list_items i
        where i.list_id = ${listId} group by i.selected_by`,
  );
  const part = (items: number, done: number, skipped: number, hits: number): SummaryPart => ({
    items,
    done,
    skipped,
    pending: items - done - skipped,
    hits,
    hitRate: done > 0 ? hits / done : null,
  });
  const of = (kind: "model" | "exploration" | "manual") => {
    const r = rows.find((x) => x.selected_by === kind);
    return part(r?.items ?? 0, r?.done ?? 0, r?.skipped ?? 0, r?.hits ?? 0);
  };
  const sum = (k: "items" | "done" | "skipped" | "hits") => rows.reduce((a, r) => a + r[k], 0);
  return {
    total: part(sum("items"), sum("done"), sum("skipped"), sum("hits")),
    model: of("model"),
    exploration: of("exploration"),
    manual: of("manual"),
  };
}
