import { appendAuditEvent, listAuditEvents, verifyAuditChain } from "../../../db/queries/audit-events.js";
import type { AppRouteHandler } from "../../types.js";
import type { EventsRoute, VerifyRoute } from "./audit.routes.js";

export const events: AppRouteHandler<EventsRoute> = async (c) => {
  const query = c.req.valid("query");
  const { db } = c.get("deps").database;
  const page = await listAuditEvents(db, query);
  // Reading the trail is itself a list pulled, so it is recorded (after the read, so the page
  // never contains its own event).
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "audit.events.read",
    details: { ...query, returned: page.items.length },
    requestId: c.get("requestId"),
  });
  return c.json(
    { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextAfter: page.nextAfter },
    200,
  );
};

export const verify: AppRouteHandler<VerifyRoute> = async (c) => {
  const { db } = c.get("deps").database;
  const result = await verifyAuditChain(db);
  await appendAuditEvent(db, {
    actor: c.get("actor"),
    action: "audit.verify",
    details: { ok: result.ok, checked: result.checked, firstBrokenId: result.firstBroken?.id ?? null },
    requestId: c.get("requestId"),
  });
  return c.json(result, 200);
};
