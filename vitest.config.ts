import path from "node:path";
import { defineConfig } from "vitest/config";

const shared = {
  include: ["test/**/*.test.ts"],
  testTimeout: 30_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      { extends: true, test: { ...shared, name: "pglite", env: { CONDUIT_TEST_DB: "pglite" } } },
      {
        extends: true,
        // Database-independent suites (support servers) and the Neon driver's own suite, which
        // always runs on PostgreSQL through Neon's driver, run once, in the PGlite project.
        test: {
          ...shared,
          name: "postgres",
          exclude: ["test/support/**", "test/neon-driver.test.ts"],
          env: { CONDUIT_TEST_DB: "postgres" },
        },
      },
      // On request only (CONDUIT_TEST_DB=neon npx vitest run --project neon …): suites on PostgreSQL
      // through Neon's serverless driver and a local WebSocket proxy.
      ...(process.env.CONDUIT_TEST_DB === "neon"
        ? [
            {
              extends: true as const,
              test: { ...shared, name: "neon", exclude: ["test/support/**", "test/neon-driver.test.ts"], env: { CONDUIT_TEST_DB: "neon" } },
            },
          ]
        : []),
    ],
  },
});
