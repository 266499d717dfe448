/** A fresh migrated database of the current project's backend, for tests that call lib/ directly. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "@/lib/db";
import { openTestDatabase, testBackend } from "./app";

/** Runs `run` on a new database (a PostgreSQL database or a PGlite directory), then removes it. */
export async function withDatabase(run: (db: Db) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-db-"));
  const database = await openTestDatabase(testBackend(), dataDir);
  try {
    await run(database.handle.db);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
