/**
 * The statements an app started with DB_LOG_STATEMENTS=true ran, read from its output: one
 * `[db] <sql>` line each, SQL only.
 */
import type { RunningApp } from "./app";

/** Longer than a batch window (50 ms), so every write batched behind a reply has landed. */
export const SETTLE_MS = 400;

/** Every statement the app has logged so far. */
export function loggedStatements(app: RunningApp): string[] {
  return app
    .output()
    .split("\n")
    .filter((line) => line.startsWith("[db] "));
}

/** The statements logged while `run` ran and until SETTLE_MS after. */
export async function statementsDuring(app: RunningApp, run: () => Promise<void>): Promise<string[]> {
  const before = loggedStatements(app).length;
  await run();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return loggedStatements(app).slice(before);
}

/** The worker's claims of due jobs, which it also runs on every poll whether or not a job is waiting. */
export const isJobClaim = (statement: string) => /^\[db\] update "jobs" set "status" = \$1, "attempts"/.test(statement);
