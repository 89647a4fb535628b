import { createHash, randomBytes } from "node:crypto";

/**
 * API key format: `cts_<8 hex prefix>_<43 chars base64url secret>` (256 random bits).
 * The prefix is stored in clear so people can tell keys apart in lists and audit events;
 * only the SHA-256 of the whole key is stored, so a leaked database reveals no usable key.
 */
export function generateApiKey(): { key: string; prefix: string; sha256: string } {
  const prefix = `cts_${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix, sha256: hashApiKey(key) };
}

export const hashApiKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");
