import type { Role } from "./schema/api-keys.js";

/**
 * Who is calling: resolved from the API key by the auth middleware, or the CLI's system actor.
 * Defined here, below services/auth/ (which re-exports it with the rules about it), because the
 * queries record it in every audit event and storage must not depend on the layers above it.
 */
export interface Actor {
  keyId: string | null;
  /** The key prefix (`cts_1a2b3c4d`), or `system`/`cli` for work the service does itself. */
  id: string;
  name: string;
  role: Role;
  units: string[];
}
