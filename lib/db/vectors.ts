/**
 * pgvector for knowledge retrieval, set up at start beside the migrations: PGlite always loads
 * the extension; a PostgreSQL server uses it when it is installed there, and without it retrieval
 * stays full-text only. The embedding column is added here, not in a migration, because a
 * migration cannot name a type that may not exist. It is `vector` without fixed dimensions, so
 * any embedding model fits; searches compare only passages embedded by the same model with the
 * same dimensions, by exact cosine distance within the organisation (no ANN index: one needs
 * fixed dimensions).
 */
import { sql } from "drizzle-orm";
import type { Db, DbKind } from "./client";
import { rowsOf } from "./statements";

const withVectors = new WeakSet<Db>();

/** Whether this database stores and searches embeddings (known once it is open). */
export const hasVectors = (db: Db): boolean => withVectors.has(db);

async function extensionAvailable(db: Db, kind: DbKind): Promise<boolean> {
  if (kind === "pglite") return true;
  const [row] = await rowsOf<{ available: boolean }>(
    db,
    sql`select exists (select 1 from pg_available_extensions where name = 'vector') as available`,
  );
  return Boolean(row?.available);
}

/** Creates the extension and the embedding column where possible; says once when it cannot. */
export async function prepareVectors(db: Db, kind: DbKind): Promise<void> {
  try {
    if (!(await extensionAvailable(db, kind))) {
      console.log("[knowledge] pgvector is not installed on this PostgreSQL server: knowledge retrieval is full-text only");
      return;
    }
    await db.execute(sql`create extension if not exists vector`);
    await db.execute(sql`alter table knowledge_chunks add column if not exists embedding vector`);
    withVectors.add(db);
  } catch (error) {
    // e.g. a role that may not create extensions: the server still serves, with full text.
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`[knowledge] pgvector could not be enabled (${reason}): knowledge retrieval is full-text only`);
  }
}
