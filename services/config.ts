import { z } from "zod";

/**
 * Every setting of the service, parsed from the environment once at boot. This is the only file
 * that reads process.env (see STYLE.md §4); a bad value prints every problem and exits.
 * The README's configuration table lists the same variables.
 */
const ConfigSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Postgres server. Unset: embedded PGlite in `${DATA_DIR}/db`. */
  DATABASE_URL: z.string().url().optional(),
  // The role that owns the tables and runs the migrations; DATABASE_URL's role should only be
  // granted cts_app, so the service itself cannot drop or disable the append-only triggers.
  DATABASE_MIGRATION_URL: z.string().url().optional(),
  // Ed25519 key (PKCS#8 PEM) that signs audit checkpoints; never in the database. Unset: a key
  // generated on first use in $DATA_DIR/audit-signing-key.pem.
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(0).default(3600),
  // Prometheus metrics at /metrics for this bearer token; unset: /metrics is off.
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Connections of this process's Postgres pool (the API's concurrent queries wait for one). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Redis server. Unset: 127.0.0.1:6379 if it answers, else a child `redis-server` in `${DATA_DIR}/redis`. */
  REDIS_URL: z.string().url().optional(),
  /** Folder for embedded data (PGlite, child Redis). */
  DATA_DIR: z.string().default("var"),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Force a tfjs backend; unset: tensorflow (tfjs-node) if installed, else wasm, else cpu. */
  TFJS_BACKEND: z.enum(["tensorflow", "wasm", "cpu"]).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Prefix of every BullMQ key, so that several deployments (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default("cts"),
  /** Threads in the CPU pool of a worker process (encode, train, predict, explain). */
  WORKER_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Scoring chunks a worker process works on at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Largest request body accepted, except the streamed CSV imports, which have their own limit. */
  // 32 MiB: a scoring run may name up to 1,000,000 file ids.
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  /** Largest CSV import body (after gzip decoding). */
  IMPORT_LIMIT_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024 * 1024),
  /**
   * A files import that writes at least this many rows runs VACUUM (ANALYZE) files before it
   * answers, so a scoring run right after meets a settled table (0: never; services/ingest/import-files.ts).
   */
  IMPORT_SETTLE_ROWS: z.coerce.number().int().min(0).default(50_000),
  /**
   * Demo files loaded by `npm start` into an empty database (0 turns it off). 100,000 files give
   * about 12,700 past controls and 280 validation positives, enough for the first model's verdict
   * against logistic regression to mean something; they load in about 7 s (embedded PGlite).
   */
  DEMO_FILES: z.coerce.number().int().min(0).default(100_000),
  DEMO_SEED: z.coerce.number().int().default(1),
  /** `redis-server` binary started when no Redis answers. */
  REDIS_SERVER_BIN: z.string().default("redis-server"),
  /** CLI: the API to call for commands that go through HTTP (training, scoring, lists). */
  CTS_URL: z.string().url().default("http://127.0.0.1:3000"),
  /** CLI: the API key those commands send. */
  CTS_API_KEY: z.string().optional(),
  /** Build id stored in each model's code version (package version + "+" + id); unset: a hash of models/. */
  BUILD_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Files per scoring chunk (one child job); chosen by tests/bench/scoring.bench.ts (docs/benchmarks/2026-11-28-scoring.md). */
  SCORING_CHUNK_SIZE: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** BullMQ lock of a scoring chunk; renewed every half, so only a dead worker loses it. */
  SCORING_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often workers look for chunks whose worker died (stalled) and take them over. */
  SCORING_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** Seconds to wait for running requests and jobs on SIGTERM before giving up. */
  SHUTDOWN_TIMEOUT_S: z.coerce.number().positive().default(30),
  /** Hours a web app session lasts from sign-in (a working day by default); then sign in again. */
  WEB_SESSION_HOURS: z.coerce.number().min(0.01).max(720).default(8),
  /** Refused sign-ins a client address (or a key prefix) may have per window; then 429 until the window ends. */
  WEB_SIGN_IN_REFUSALS: z.coerce.number().int().min(1).max(10_000).default(10),
  /** The sign-in window, in minutes (fixed windows: a burst of refusals waits at most this long). */
  WEB_SIGN_IN_WINDOW_MINUTES: z.coerce.number().min(0.05).max(1440).default(15),
  /** "true" behind a reverse proxy: the client address is the last X-Forwarded-For entry (the proxy's), not the socket's. */
  TRUST_PROXY: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** Time zone of the dates on the web pages (IANA name); people's locale comes from their browser. */
  WEB_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone, e.g. Europe/Paris")
    .default("UTC"),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Parses an environment; throws a readable list of every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** The configuration of this process, read from process.env; exits with the problems on a bad value. */
export function loadConfig(): Config {
  try {
    // eslint-disable-next-line node/no-process-env -- the one place that reads the environment
    return parseConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
