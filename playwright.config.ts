import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

/**
 * Browser tests drive Debian's Chromium (no browser download) against the production build,
 * started once on a fresh embedded database. The data directory is chosen by the main process
 * and inherited by the workers, which read the seeded demo from it.
 */
process.env.CONDUIT_E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "conduit-e2e-"));
// A port of its own per run (inherited by the workers like the data directory), so runs side by side do not collide.
// Both ports lie outside Linux's ephemeral range (32768–60999), which outgoing connections on a busy machine may hold.
process.env.CONDUIT_E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 12_000));
// The loopback stand-in for Meta's Graph API that channel replies reach (e2e/channels.spec.ts starts it on this port).
process.env.CONDUIT_E2E_GRAPH_PORT ??= String(61_000 + Math.floor(Math.random() * 4_000));
const port = Number(process.env.CONDUIT_E2E_PORT);
const e2eDataDir = process.env.CONDUIT_E2E_DATA_DIR;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  webServer: {
    command: "node --import tsx server.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: e2eDataDir,
      // Channel callback URLs are built from it: the one the dashboard shows is the one the tests call.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      META_GRAPH_URL: `http://127.0.0.1:${process.env.CONDUIT_E2E_GRAPH_PORT}`,
      // Webhook endpoints may reach loopback receivers by this name (e2e/webhooks.spec.ts); 127.0.0.1 itself stays refused.
      TOOL_ALLOWED_PRIVATE_HOSTS: "localhost",
      // Small enough for a test to reach the lock in a few tries.
      SIGN_IN_LOCKOUT_FAILURES: "3",
      // Every spec signs the demo admin in; the throttle itself is tested over HTTP (test/dashboard-auth).
      SIGN_IN_ATTEMPTS_PER_MINUTE: "1000",
      // Low enough for e2e/widget.spec.ts to reach in a few messages, above what its other tests send
      // (at most two messages a visitor, a handful from the one address).
      WIDGET_MESSAGES_PER_VISITOR_PER_MINUTE: "3",
      WIDGET_MESSAGES_PER_IP_PER_MINUTE: "12",
    },
  },
});
