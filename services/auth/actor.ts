import type { Actor } from "../db/actor.js";
import { forbidden } from "../errors.js";

export type { Actor } from "../db/actor.js";

export const SYSTEM_ACTOR: Actor = { keyId: null, id: "system", name: "system", role: "admin", units: [] };

/** Inspectors are scoped to their units; every other role sees all units. */
export function canSeeUnit(actor: Actor, unit: string): boolean {
  return actor.role !== "inspector" || actor.units.includes(unit);
}

export function assertUnitAccess(actor: Actor, unit: string): void {
  if (!canSeeUnit(actor, unit)) throw forbidden(`this key is not scoped to unit "${unit}"`);
}

/** The units a query must be limited to, or null for all units. */
export const unitScope = (actor: Actor): string[] | null => (actor.role === "inspector" ? actor.units : null);
