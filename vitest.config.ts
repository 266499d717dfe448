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
        // Database-independent suites (support servers) run once, in the PGlite project.
        test: { ...shared, name: "postgres", exclude: ["test/support/**"], env: { CONDUIT_TEST_DB: "postgres" } },
      },
    ],
  },
});
