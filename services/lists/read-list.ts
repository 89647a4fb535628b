import { type Actor, assertUnitAccess } from "../auth/actor.js";
import type { Database } from "../db/client.js";
import { appendAuditEventAlone } from "../db/queries/audit-events.js";
import { type ControlListItemView, type ControlListRow, getControlListWithItems } from "../db/queries/control-lists.js";

/**
 * A list and its items for `actor`, who must reach the list's unit (403 otherwise), with the read
 * or export audit event recorded before the list is returned: a list handed out is always on the
 * trail (if recording fails, nothing is handed out). The API and the web app both pull lists here.
 */
export async function pullControlList(
  database: Database,
  id: string,
  actor: Actor,
  audit: { action: "control_list.read" | "control_list.export"; requestId?: string },
): Promise<{ list: ControlListRow; items: ControlListItemView[] }> {
  const { list, items } = await getControlListWithItems(database.db, id);
  assertUnitAccess(actor, list.unit);
  await appendAuditEventAlone(database, {
    actor,
    action: audit.action,
    target: id,
    details: { unit: list.unit, files: items.length, runId: list.runId, seed: list.seed, params: list.params },
    requestId: audit.requestId,
  });
  return { list, items };
}
