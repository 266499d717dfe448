/**
 * pgvector for knowledge retrieval, set up at start beside the migrations: PGlite always loads
 * the extension; a PostgreSQL server uses it when it is installed there, and without it retrieval
 * stays full-text only. The embedding column is added here, not in a migration, because a
 * migration cannot name a type that may not exist. It is `vector` without fixed dimensions, so
 * any embedding model fits; searches compare only passages embedded by the same model with the
 * same dimensions. Each such embedding space gets its own approximate (HNSW) index, partial to
 * the model and cast to its dimensions (an index needs fixed dimensions), made when its first
 * passages are stored.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { describeFailure } from "@/lib/runtime/failure";
import { processSingleton } from "@/lib/runtime/singleton";
import type { Db, DbKind } from "./client";
import { rowsOf } from "./statements";

// Process-wide: Next.js bundles lib/ again for pages and server actions, which share the database
// opened (and its vectors prepared) by the server's copy.
const withVectors = () => processSingleton("db:with-vectors", () => new WeakSet<Db>());

/** Whether this database stores and searches embeddings (known once it is open). */
export const hasVectors = (db: Db): boolean => withVectors().has(db);

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
    // One connection for the whole process; a server's pooled connections each get it as they open (client.ts).
    if (kind === "pglite") await db.execute(sql.raw(vectorSessionSetting()));
    withVectors().add(db);
  } catch (error) {
    // e.g. a role that may not create extensions: the server still serves, with full text.
    console.log(`[knowledge] pgvector could not be enabled (${describeFailure(error)}): knowledge retrieval is full-text only`);
  }
}

/** pgvector indexes `vector` up to this many dimensions; larger embeddings are searched exactly. */
export const MAX_INDEXED_DIMENSIONS = 2000;

/**
 * What a session needs for approximate search: how many candidates it visits, and iterative
 * scans, without which an index scan stops after those candidates and a search narrowed to an
 * organisation or a few documents could come back short (relaxed order: the few results are
 * sorted again by their exact distance). One statement, since a pool runs it on each connection.
 */
export const vectorSessionSetting = () =>
  `select set_config('hnsw.iterative_scan', 'relaxed_order', false), set_config('hnsw.ef_search', '${config().KNOWLEDGE_VECTOR_EF_SEARCH}', false)`;

/** The column as the index of its embedding space stores it, and how a search must order by it to use that index. */
export const indexedEmbedding = (dimensions: number) =>
  dimensions <= MAX_INDEXED_DIMENSIONS
    ? sql.raw(`knowledge_chunks.embedding::vector(${dimensions})`)
    : sql.raw("knowledge_chunks.embedding");

/** The passages of one embedding space: what its index holds, and what a search of it must say for the planner to use the index. */
export const inEmbeddingSpace = (modelId: string, dimensions: number) =>
  sql.raw(`knowledge_chunks.embedding_model = ${quoteLiteral(modelId)} and vector_dims(knowledge_chunks.embedding) = ${dimensions}`);

/** DDL takes no parameters: a string literal, quotes doubled (standard_conforming_strings is on since PostgreSQL 9.1). */
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

const indexName = (modelId: string, dimensions: number) =>
  `knowledge_chunks_embedding_${createHash("sha256").update(`${modelId}\0${dimensions}`).digest("hex").slice(0, 16)}`;

const indexedSpaces = () => processSingleton("db:indexed-embedding-spaces", () => new WeakMap<Db, Set<string>>());

/**
 * Makes the index of an embedding space, once per process, before its passages are stored
 * (indexing an empty space is instant; later passages are indexed as they are written). Another
 * instance making the same index at the same moment is not an error; an index that cannot be
 * made fails nothing (logged): the space is then searched exactly.
 */
export async function ensureEmbeddingIndex(db: Db, modelId: string, dimensions: number): Promise<void> {
  if (dimensions < 1 || dimensions > MAX_INDEXED_DIMENSIONS || !hasVectors(db)) return;
  const name = indexName(modelId, dimensions);
  const known = indexedSpaces().get(db) ?? new Set<string>();
  indexedSpaces().set(db, known);
  if (known.has(name)) return;
  try {
    await db.execute(
      sql.raw(
        `create index if not exists ${name} on knowledge_chunks using hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) ` +
          `where embedding_model = ${quoteLiteral(modelId)} and vector_dims(embedding) = ${dimensions}`,
      ),
    );
  } catch (error) {
    const [row] = await rowsOf<{ found: boolean }>(db, sql`select to_regclass(${name}) is not null as found`);
    if (!row?.found) {
      console.log(
        `[knowledge] the vector index for ${modelId} (${dimensions} dimensions) could not be made (${describeFailure(error)}): its passages are searched exactly`,
      );
      return;
    }
  }
  known.add(name);
}
