import { Command } from "commander";
import { register as registerAudit } from "./commands/audit.js";
import { register as registerDemo } from "./commands/demo.js";
import { register as registerImport } from "./commands/import.js";
import { register as registerKeys } from "./commands/keys.js";
import { register as registerLists } from "./commands/lists.js";
import { register as registerModels } from "./commands/models.js";
import { register as registerSchema } from "./commands/schema.js";
import { register as registerOutcomes } from "./commands/outcomes.js";
import { register as registerScore } from "./commands/score.js";
import { register as registerUnits } from "./commands/units.js";

/**
 * The command line for data officers and admins: `npm run cli -- <command>` or the `cts` bin.
 * Commands that manage the server (keys, audit) go through the service running on this machine
 * ($DATA_DIR/cli-credential.json, services/cli/local-service.ts), else open the database directly;
 * the others call the HTTP API with CTS_URL and CTS_API_KEY.
 */
const program = new Command("cts").description("Control Targeting Service").showHelpAfterError();

for (const register of [registerKeys, registerAudit, registerLists, registerModels, registerSchema, registerImport, registerOutcomes, registerDemo, registerScore, registerUnits]) {
  register(program);
}

// Piped into `head` or a pager that quits: the reader is gone, so stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

program.parseAsync().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
