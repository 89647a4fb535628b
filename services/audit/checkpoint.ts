import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Signed checkpoints: the chain's head (its count and last hash) signed with an Ed25519 key that
 * lives outside the database (a file, never stored in it). Whoever can rewrite the database can
 * rehash the whole chain or cut its tail, and the chain alone would still verify; a checkpoint kept
 * elsewhere (exported, logged, printed) cannot be forged without the key, so a verification
 * against it detects truncation, rehashing and an event inserted in the middle.
 */
export interface Checkpoint {
  v: 1;
  /** Events in the chain at signing time (ids run 1..count). */
  count: number;
  headHash: string;
  at: string;
  /** First 16 hex of the SHA-256 of the public key (SPKI DER): which key signed. */
  keyId: string;
  /** Ed25519 signature, base64, over checkpointBytes. */
  signature: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

/** The signed bytes: a JSON array in a fixed order, so that no key order can vary. */
export const checkpointBytes = (c: Omit<Checkpoint, "signature">): Buffer =>
  Buffer.from(JSON.stringify(["cts-audit-checkpoint", c.v, c.count, c.headHash, c.at, c.keyId]));

export function signCheckpoint(head: { count: number; headHash: string }, key: SigningKey, at = new Date()): Checkpoint {
  const unsigned = { v: 1 as const, count: head.count, headHash: head.headHash, at: at.toISOString(), keyId: key.keyId };
  return { ...unsigned, signature: sign(null, checkpointBytes(unsigned), key.privateKey).toString("base64") };
}

/** True when `checkpoint` was signed by `key` and not altered since. */
export function checkpointSignatureOk(checkpoint: Checkpoint, key: Pick<SigningKey, "publicKey" | "keyId">): boolean {
  if (checkpoint.keyId !== key.keyId) return false;
  try {
    return verify(null, checkpointBytes(checkpoint), key.publicKey, Buffer.from(checkpoint.signature, "base64"));
  } catch {
    return false;
  }
}

function fromPrivateKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyId: createHash("sha256").update(der).digest("hex").slice(0, 16),
  };
}

const loaded = new Map<string, SigningKey>();

/**
 * The signing key in `path` (PKCS#8 PEM). When the file does not exist and `create` is set, a new
 * key is generated and written there, readable by this user only (mode 0600), and `onCreate` is
 * told. Loaded once per path and process.
 */
export function loadSigningKey(path: string, opts: { create: boolean; onCreate?: (path: string) => void }): SigningKey {
  const cached = loaded.get(path);
  if (cached) return cached;
  if (!existsSync(path)) {
    if (!opts.create) throw new Error(`the audit signing key ${path} does not exist`);
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    try {
      writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" });
      opts.onCreate?.(path);
    } catch (error) {
      // Another process of the service created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const key = fromPrivateKey(createPrivateKey(readFileSync(path)));
  if (key.privateKey.asymmetricKeyType !== "ed25519") throw new Error(`the audit signing key ${path} is not an Ed25519 key`);
  loaded.set(path, key);
  return key;
}
