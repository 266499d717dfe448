/** A fresh migrated database of the current project's backend, for tests that call lib/ directly. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "@/lib/db";
import { createPostgresDatabase, dropPostgresDatabase, testBackend } from "./app";

/** Runs `run` on a new database (a PostgreSQL database or a PGlite directory), then removes it. */
export async function withDatabase(run: (db: Db) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "conduit-db-"));
  const url = testBackend() === "postgres" ? await createPostgresDatabase() : undefined;
  const handle = await openDatabase({ url, dataDir });
  try {
    await run(handle.db);
  } finally {
    await handle.close();
    if (url) await dropPostgresDatabase(url);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
