import { resolve } from "node:path";
import { sql } from "drizzle-orm";
import type { Actor } from "../actor.js";
import { type Checkpoint, checkpointSignatureOk, loadSigningKey, type SigningKey, signCheckpoint } from "../../audit/checkpoint.js";
import { GENESIS_HASH } from "../../audit/chain.js";
import type { Config } from "../../config.js";
import { type Db, queryRows } from "../client.js";
import { appendAuditEvent, verifyAuditChain } from "./audit-events.js";

/** The service's checkpoint key (AUDIT_SIGNING_KEY_FILE, else one generated in DATA_DIR). */
export function auditSigningKey(config: Config, onCreate?: (path: string) => void): SigningKey {
  const path = config.AUDIT_SIGNING_KEY_FILE ?? resolve(config.DATA_DIR, "audit-signing-key.pem");
  return loadSigningKey(path, { create: config.AUDIT_SIGNING_KEY_FILE === undefined, onCreate });
}

/** The advisory lock of the chain's appends (cts_append_audit_events, migration 0006). */
const CHAIN_APPEND_LOCK = 7402001;

/** The chain's head: how many events it holds (ids run 1..count) and the last one's hash. */
export async function chainHead(db: Db): Promise<{ count: number; headHash: string }> {
  const [head] = await queryRows<{ id: string | number; hash: string }>(db, sql`select id, hash from audit_events order by id desc limit 1`);
  return head ? { count: Number(head.id), headHash: head.hash } : { count: 0, headHash: GENESIS_HASH };
}

/**
 * Signs the chain's head now and records that it did (`audit.checkpoint`, with the checkpoint in
 * its details, so checkpoints are also found in the chain they vouch for). The head is read and the
 * event appended in one transaction holding the chain's append lock (the advisory lock that
 * cts_append_audit_events takes, migration 0006; re-entrant), so the checkpoint's head is exactly
 * the event before its own.
 */
export async function createAuditCheckpoint(db: Db, key: SigningKey, actor: Actor, requestId?: string): Promise<Checkpoint> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_APPEND_LOCK})`);
    const checkpoint = signCheckpoint(await chainHead(tx), key);
    await appendAuditEvent(tx, { actor, action: "audit.checkpoint", details: { checkpoint }, requestId });
    return checkpoint;
  });
}

export interface CheckpointVerification {
  ok: boolean;
  signatureOk: boolean;
  /** The chain recomputes link by link from the first event. */
  chainOk: boolean;
  checked: number;
  /** The chain holds fewer events than the checkpoint counted: its tail was cut. */
  truncated: boolean;
  /** The event the checkpoint ends at still has the hash it signed (false: rehashed or an event inserted before it). */
  headHashMatches: boolean | null;
  findings: string[];
}

/** Checks the database's chain against a checkpoint saved elsewhere. */
export async function verifyAgainstCheckpoint(db: Db, checkpoint: Checkpoint, key: SigningKey): Promise<CheckpointVerification> {
  const findings: string[] = [];
  const signatureOk = checkpointSignatureOk(checkpoint, key);
  if (!signatureOk) findings.push(`the checkpoint's signature does not verify with this service's key ${key.keyId}`);
  const chain = await verifyAuditChain(db);
  if (!chain.ok) findings.push(`the chain breaks at event ${chain.firstBroken?.id} (${chain.firstBroken?.reason})`);
  const head = await chainHead(db);
  const truncated = head.count < checkpoint.count;
  if (truncated) findings.push(`the chain holds ${head.count} events, the checkpoint counted ${checkpoint.count}: events were removed`);
  let headHashMatches: boolean | null = null;
  if (checkpoint.count === 0) headHashMatches = checkpoint.headHash === GENESIS_HASH;
  else if (!truncated) {
    const [row] = await queryRows<{ hash: string }>(db, sql`select hash from audit_events where id = ${checkpoint.count}`);
    headHashMatches = row?.hash === checkpoint.headHash;
  }
  if (headHashMatches === false) {
    findings.push(`event ${checkpoint.count} no longer has the hash the checkpoint signed: the chain was rewritten up to it`);
  }
  return {
    ok: signatureOk && chain.ok && !truncated && headHashMatches === true,
    signatureOk,
    chainOk: chain.ok,
    checked: chain.checked,
    truncated,
    headHashMatches,
    findings,
  };
}
