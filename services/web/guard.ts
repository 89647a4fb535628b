import type { MiddlewareHandler } from "hono";
import { requireRole } from "../api/middleware/auth.js";
import type { Role } from "../db/schema/index.js";
import type { WebBindings } from "./session.js";

/**
 * A page admits exactly the roles of the API operation it stands for: the roles are read from the
 * route's definition (`x-roles`, set by v1Route) and checked by the API's own middleware, so the
 * two cannot drift apart. A refusal is the API's DomainError, shown as the 403 page.
 */
export const sameRolesAs = (route: object): MiddlewareHandler<WebBindings> =>
  requireRole(rolesOf(route)) as unknown as MiddlewareHandler<WebBindings>;

export function rolesOf(route: object): readonly Role[] {
  const roles = (route as { "x-roles"?: readonly Role[] })["x-roles"];
  if (!roles) throw new Error("not a v1Route: it declares no roles");
  return roles;
}

/** Form values are strings or files; pages only read strings. */
export function formText(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === "string" ? v.trim() : "";
}
