import { parseArgs } from "node:util";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { ROLES, type ProcessRole, startService } from "./runtime/start.js";

/** Entry point: `npm start` (role all), or `--role api|worker` for production processes. */
async function main() {
  const { values } = parseArgs({ options: { role: { type: "string", default: "all" } } });
  const role = values.role as ProcessRole;
  if (!ROLES.includes(role)) {
    console.error(`--role must be one of ${ROLES.join(", ")}`);
    process.exit(2);
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, { role });

  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({
      role,
      config,
      logger,
      onFirstAdminKey: (key) => {
        process.stdout.write(
          `\nFirst start: an admin API key was created. It is shown this once; keep it safe:\n\n  ${key}\n\n`,
        );
      },
    });
  } catch (error) {
    logger.fatal({ err: error }, "could not start");
    console.error(`\ncould not start: ${(error as Error).message}`);
    process.exit(1);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const guard = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, (config.SHUTDOWN_TIMEOUT_S + 15) * 1000);
    guard.unref();
    await service.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

void main();
