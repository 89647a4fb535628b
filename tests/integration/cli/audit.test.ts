import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../../services/auth/actor.js";
import { appendAuditEvent } from "../../../services/db/queries/audit-events.js";
import { createTestContext, type TestContext } from "../../helpers/app.js";

const run = promisify(execFile);
const CTS = resolve(import.meta.dirname, "../../../bin/cts.js");

describe("cts audit checkpoint and verify --checkpoint", () => {
  let ctx: TestContext;
  const dir = mkdtempSync(join(tmpdir(), "cts-cli-audit-"));
  const keyFile = join(dir, "key.pem");

  beforeAll(async () => {
    ctx = await createTestContext("postgres");
    writeFileSync(keyFile, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    for (let i = 0; i < 5; i++) await appendAuditEvent(ctx.test.database.db, { actor: SYSTEM_ACTOR, action: "test.event" });
  });
  afterAll(() => ctx.close());

  const cts = (...args: string[]) =>
    run(process.execPath, [CTS, ...args], {
      env: { ...process.env, DATABASE_URL: ctx.test.url as string, AUDIT_SIGNING_KEY_FILE: keyFile, LOG_LEVEL: "silent" },
    });

  it("prints a signed checkpoint; verifying against it passes, then fails once the tail is cut", async () => {
    const { stdout } = await cts("audit", "checkpoint");
    const saved = JSON.parse(stdout) as { checkpoint: { count: number; signature: string }; publicKey: string };
    expect(saved.checkpoint.count).toBe(5);
    expect(saved.publicKey).toContain("BEGIN PUBLIC KEY");
    const file = join(dir, "checkpoint.json");
    writeFileSync(file, stdout);
    const good = JSON.parse((await cts("audit", "verify", "--checkpoint", file)).stdout) as { ok: boolean };
    expect(good.ok).toBe(true);
    const su = ctx.test.superuser();
    await su.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`delete from audit_events where id > 3`;
    });
    await expect(cts("audit", "verify", "--checkpoint", file)).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining('"truncated": true'),
    });
  });
});
