import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Checkpoint } from "../../audit/checkpoint.js";
import { auditSigningKey, createAuditCheckpoint, verifyAgainstCheckpoint } from "../../db/queries/audit-checkpoints.js";
import { appendAuditEvent, verifyAuditChain } from "../../db/queries/audit-events.js";
import { cliActor, printJson, withDatabase } from "../context.js";
import { localService } from "../local-service.js";

/**
 * `audit verify [--checkpoint FILE]`: recomputes the audit chain (and checks it against a saved
 * checkpoint); exits 1 when something does not hold. `audit checkpoint`: signs the chain's head
 * and prints it, to be kept outside this machine.
 */
export function register(program: Command) {
  const audit = program.command("audit").description("audit trail");

  audit
    .command("verify")
    .description("recompute the audit chain and report the first broken link; with --checkpoint, also check it against a saved checkpoint")
    .option("--checkpoint <file>", "a checkpoint saved earlier (the JSON `audit checkpoint` printed)")
    .action(async (opts: { checkpoint?: string }) => {
      const saved = opts.checkpoint ? readCheckpoint(opts.checkpoint) : null;
      const service = localService();
      if (service) {
        const report = (await (saved
          ? service.call("auditor", "POST", "/v1/audit/verify", { checkpoint: saved })
          : service.call("auditor", "GET", "/v1/audit/verify"))) as { ok: boolean };
        printJson(report);
        if (!report.ok) process.exitCode = 1;
        return;
      }
      const result = await withDatabase(async ({ db }, config) => {
        if (saved) {
          const report = await verifyAgainstCheckpoint(db, saved, auditSigningKey(config));
          await appendAuditEvent(db, {
            actor: cliActor(),
            action: "audit.verify.checkpoint",
            details: { ok: report.ok, count: saved.count, at: saved.at, findings: report.findings },
          });
          return report;
        }
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

  audit
    .command("checkpoint")
    .description("sign the audit chain's head now and print it (keep it outside this machine)")
    .action(async () => {
      const service = localService();
      if (service) return printJson(await service.call("admin", "GET", "/v1/audit/checkpoint"));
      const signed = await withDatabase(async ({ db }, config) => {
        const key = auditSigningKey(config);
        return { checkpoint: await createAuditCheckpoint(db, key, cliActor()), publicKey: key.publicKeyPem };
      });
      printJson(signed);
    });
}

/** A checkpoint file as `audit checkpoint` or GET /v1/audit/checkpoint wrote it (or the bare checkpoint). */
function readCheckpoint(file: string): Checkpoint {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { checkpoint?: Checkpoint } & Partial<Checkpoint>;
  return (parsed.checkpoint ?? parsed) as Checkpoint;
}
