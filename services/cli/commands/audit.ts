import type { Command } from "commander";
import { appendAuditEvent, verifyAuditChain } from "../../db/queries/audit-events.js";
import { cliActor, printJson, withDatabase } from "../context.js";

/** `audit verify`: recomputes the audit chain; exits 1 when a link is broken. */
export function register(program: Command) {
  program
    .command("audit")
    .description("audit trail")
    .command("verify")
    .description("recompute the audit chain and report the first broken link")
    .action(async () => {
      const result = await withDatabase(async ({ db }) => {
        const verification = await verifyAuditChain(db);
        await appendAuditEvent(db, {
          actor: cliActor(),
          action: "audit.verify",
          details: { ok: verification.ok, checked: verification.checked, firstBrokenId: verification.firstBroken?.id ?? null },
        });
        return verification;
      });
      printJson(result);
      if (!result.ok) process.exitCode = 1;
    });
}
