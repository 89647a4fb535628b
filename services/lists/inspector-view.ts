import { createHash, createHmac } from "node:crypto";
import type { Config } from "../config.js";
import { auditSigningKey } from "../db/queries/audit-checkpoints.js";
import { seededPermutation } from "../../models/prng.js";

/**
 * What an inspector may see of how the files of a list were picked: nothing. Exploration picks
 * (random, with a known probability) must look exactly like model picks, or inspectors could treat
 * them differently and bias the hit rate that exploration exists to measure. For inspectors,
 * therefore (the API, the CSV export and the web pages all go through here):
 * - items come in a seeded shuffle of the list, the same on every read, with positions renumbered
 *   in that order: the stored position is the rank by score, which would give exploration away;
 * - no score, no selection route or probability;
 * - reasons name the attributes and their direction, without their magnitudes (an exploration
 *   pick's reasons are as weak as its score).
 * Auditors, data officers and admins see the stored provenance, and only they see the list's seed.
 * The shuffle is keyed by a server secret as well as the list: an inspector who chose the seed
 * when creating the list (select.ts is deterministic and public) could otherwise recompute both
 * the exploration slots and the shuffle, and tell the picks apart.
 */
export type ItemView = "inspector" | "full";

/** The items of a list in the order an inspector sees them (positions renumbered from 1). */
export function inspectorOrder<T extends { position: number }>(items: T[], list: { id: string; seed: number }, secret: Uint8Array): T[] {
  const byRank = [...items].sort((a, b) => a.position - b.position);
  const key = createHmac("sha256", secret).update(`inspector-order:${list.id}:${list.seed}`).digest().readUInt32BE(0);
  const order = seededPermutation(byRank.length, key);
  return Array.from(order, (from, i) => ({ ...byRank[from], position: i + 1 }));
}

/** The items as `view` shows them, in the order it shows them. */
export const itemsInViewOrder = <T extends { position: number }>(
  items: T[],
  list: { id: string; seed: number },
  view: ItemView,
  secret: Uint8Array,
): T[] => (view === "inspector" ? inspectorOrder(items, list, secret) : items);

/**
 * The server secret that keys an inspector's shuffle: derived from the audit signing key, a secret
 * that already lives outside the database and the API.
 */
export function orderSecret(config: Config): Uint8Array {
  // Derived once per configuration: exporting and hashing the key on every read was 5% of the API's CPU.
  let secret = orderSecrets.get(config);
  if (!secret) {
    secret = createHash("sha256").update("cts-inspector-order").update(auditSigningKey(config).privateKey.export({ type: "pkcs8", format: "der" })).digest();
    orderSecrets.set(config, secret);
  }
  return secret;
}
const orderSecrets = new WeakMap<Config, Uint8Array>();
