import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { userInfo } from "node:os";
import type { Actor } from "./actor.js";

/**
 * The local operator's credential: the CLI on the service's own machine, as the OS user that runs
 * the service. PGlite is one process's database, so while the embedded service runs the CLI cannot
 * open it; the service instead writes these tokens to a file only its user can read
 * (services/runtime/local-credential-file.ts) and accepts them from loopback connections. They live
 * in memory and in that file only (never in the database), and change at every start.
 *
 * Two roles, because that user could do both on the database directly: admin (keys, checkpoints)
 * and auditor (verifying the trail is an auditor's route).
 */
export const LOCAL_ROLES = ["admin", "auditor"] as const;
export type LocalRole = (typeof LOCAL_ROLES)[number];
export type LocalTokens = Record<LocalRole, string>;

const TOKEN = /^ctslocal_(admin|auditor)_[A-Za-z0-9_-]{43}$/;

export function createLocalTokens(): LocalTokens {
  const make = (role: LocalRole) => `ctslocal_${role}_${randomBytes(32).toString("base64url")}`;
  return { admin: make("admin"), auditor: make("auditor") };
}

/** The same actor the CLI records when it writes to the database itself (`cli:<user>`). */
export const localOperatorActor = (role: LocalRole): Actor => ({
  keyId: null,
  id: `cli:${userInfo().username}`,
  name: userInfo().username,
  role,
  units: [],
});

const digest = (text: string) => createHash("sha256").update(text).digest();

/** The role a presented bearer token is the local token of, or null (compared in constant time). */
export function matchLocalToken(tokens: LocalTokens | undefined, presented: string): LocalRole | null {
  if (!tokens) return null;
  const role = TOKEN.exec(presented)?.[1] as LocalRole | undefined;
  if (!role) return null;
  return timingSafeEqual(digest(tokens[role]), digest(presented)) ? role : null;
}
