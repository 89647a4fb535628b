import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../../auth/actor.js";
import { localOperatorActor, matchLocalToken } from "../../auth/local-credential.js";
import { findActiveKey, touchApiKey } from "../../db/queries/api-keys.js";
import type { Role } from "../../db/schema/index.js";
import { DomainError } from "../../errors.js";
import type { AppBindings } from "../types.js";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves `Authorization: Bearer <key>` to an Actor for every /v1 route; a missing, unknown or
 * revoked key is a 401 problem. Registered before the routes it guards (STYLE.md §2).
 */
export function authenticate(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header("authorization") ?? "");
    if (!match) {
      throw new DomainError("unauthenticated", "send an API key as `Authorization: Bearer <key>`");
    }
    const deps = c.get("deps");
    const localRole = matchLocalToken(deps.localTokens, match[1]);
    if (localRole) {
      if (!fromLoopback(c)) throw new DomainError("unauthenticated", "the local operator credential is accepted only from this machine");
      const actor = localOperatorActor(localRole);
      c.set("actor", actor);
      c.set("logger", c.get("logger").child({ actor: actor.id, role: actor.role }));
      return next();
    }
    const { db } = deps.database;
    const key = await findActiveKey(db, match[1]);
    if (!key) throw new DomainError("unauthenticated", "the API key is unknown or has been revoked");
    const actor: Actor = { keyId: key.id, id: key.prefix, name: key.name, role: key.role, units: key.units };
    c.set("actor", actor);
    c.set("logger", c.get("logger").child({ actor: actor.id, role: actor.role }));
    await touchApiKey(db, key.id);
    await next();
  };
}

/** Every /v1 route declares the roles it admits (services/api/route.ts puts this in its middleware). */
export function requireRole(roles: readonly Role[]): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const actor = c.get("actor");
    if (!roles.includes(actor.role)) {
      throw new DomainError("forbidden", `role "${actor.role}" may not do this; allowed: ${roles.join(", ")}`);
    }
    await next();
  };
}

/** True for a connection from this machine (in-process requests, as tests make, have no socket). */
function fromLoopback(c: Context<AppBindings>): boolean {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    return true;
  }
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1" || address === undefined;
}
