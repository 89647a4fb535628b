import { type Command, Option } from "commander";
import { createApiKey, listApiKeys, revokeApiKey } from "../../db/queries/api-keys.js";
import { unitsWithoutFiles } from "../../db/queries/files.js";
import { ROLES } from "../../db/schema/index.js";
import { cliActor, printJson, withDatabase } from "../context.js";
import { localService } from "../local-service.js";

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `keys create|list|revoke`: key management on the server: through the service running on this
 * machine if there is one (its local credential), else straight against the database.
 */
export function register(program: Command) {
  const keys = program.command("keys").description("manage API keys (on the server, against the database)");

  keys
    .command("create")
    .description("create an API key; the key is printed once")
    .addOption(new Option("--role <role>", "role of the key").choices(ROLES).makeOptionMandatory())
    .option("--unit <unit>", "a unit the key may see (repeat for several; inspectors need one)", collect, [])
    .option("--name <name>", "who the key belongs to", "")
    .action(async (opts: { role: (typeof ROLES)[number]; unit: string[]; name: string }) => {
      if (opts.role === "inspector" && opts.unit.length === 0) {
        program.error("an inspector key needs at least one --unit");
      }
      const body = { role: opts.role, units: opts.unit, name: opts.name || `${opts.role} key` };
      const service = localService();
      const created = service
        ? ((await service.call("admin", "POST", "/v1/api-keys", body)) as { role: string; prefix: string; key: string })
        : await withDatabase(async ({ db }) => {
            const unknown = await unitsWithoutFiles(db, opts.unit);
            if (unknown.length > 0) program.error(`no file belongs to unit ${unknown.join(", ")}: import its files first, or check the spelling`);
            return createApiKey(db, body, cliActor());
          });
      process.stderr.write(`Created ${created.role} key ${created.prefix}. It is shown this once:\n`);
      process.stdout.write(`${created.key}\n`);
    });

  keys
    .command("list")
    .description("list keys (prefixes only)")
    .action(async () => {
      const service = localService();
      printJson(service ? ((await service.call("admin", "GET", "/v1/api-keys")) as { items: unknown[] }).items : await withDatabase(({ db }) => listApiKeys(db)));
    });

  keys
    .command("revoke <id>")
    .description("revoke a key by id")
    .action(async (id: string) => {
      const service = localService();
      printJson(service ? await service.call("admin", "DELETE", `/v1/api-keys/${encodeURIComponent(id)}`) : await withDatabase(({ db }) => revokeApiKey(db, id, cliActor())));
    });
}
