import { defineConfig } from "vitest/config";

/**
 * Unit tests (pure, fast, parallel) and integration tests (real Postgres and Redis, one file at a
 * time so that they never race on the shared servers) run as two projects of one `vitest run`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ["tests/integration/global-setup.ts"],
        },
      },
    ],
  },
});
