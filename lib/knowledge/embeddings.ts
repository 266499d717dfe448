/**
 * Embeddings of passages and queries, with the organisation's embedding model: that of its
 * oldest AI provider naming one, else the deployment's (EMBEDDING_MODEL). A failed call never
 * fails what asked for it: passages stay full-text only, and a search falls back to full text.
 */
import { embedMany } from "ai";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { meteredEmbedding, type EmbeddingPayer } from "@/lib/billing";
import { config } from "@/lib/config";
import { TtlCache } from "@/lib/cache/ttl-cache";
import { ensureEmbeddingIndex, hasVectors, tables, type Db, type KnowledgeDocument, type MemoryEntry } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { resolveEmbeddingModel, toModelError, type ResolvedEmbeddingModel } from "@/lib/llm";
import { describeFailure } from "@/lib/runtime/failure";
import { processSingleton } from "@/lib/runtime/singleton";

/** Rows per insert: eight parameters each, far below PostgreSQL's 65,535. */
const PASSAGE_INSERT_BATCH = 500;

export interface Embeddings {
  modelId: string;
  vectors: number[][];
}

/** Cached briefly like agents: every search and every run with knowledge asks. */
const embeddingModels = () =>
  processSingleton("knowledge:embedding-models", () => new TtlCache<ResolvedEmbeddingModel | null>(config().KEY_CACHE_TTL_MS));

async function loadEmbeddingModel(db: Db, orgId: string): Promise<ResolvedEmbeddingModel | null> {
  const { aiProviders, organisations } = tables;
  const [row] = await db
    .select({ billingMode: organisations.billingMode, provider: aiProviders })
    .from(organisations)
    .leftJoin(
      aiProviders,
      and(eq(aiProviders.orgId, organisations.id), isNotNull(aiProviders.embeddingModel), eq(aiProviders.type, "openai_compatible")),
    )
    .where(eq(organisations.id, orgId))
    .orderBy(asc(aiProviders.createdAt), asc(aiProviders.id))
    .limit(1);
  return row ? resolveEmbeddingModel(row.provider, row.billingMode) : null;
}

/** The organisation's embedding model; null where this database has no pgvector or none is configured. */
export async function embeddingModelOf(db: Db, orgId: string): Promise<ResolvedEmbeddingModel | null> {
  if (!hasVectors(db)) return null;
  return embeddingModels().get(orgId, () => loadEmbeddingModel(db, orgId));
}

/** Drops the cached model after the organisation's providers change (other instances catch up within the TTL). */
export function forgetEmbeddingModel(orgId: string): void {
  embeddingModels().delete(orgId);
}

/** One embedding per text, in one batched call (the SDK splits it at the model's limit), paid by `payer`. */
export async function embedTexts(model: ResolvedEmbeddingModel, texts: string[], payer: EmbeddingPayer): Promise<Embeddings> {
  const vectors = await meteredEmbedding(payer, model.modelId, texts, async () => {
    const { embeddings, usage } = await embedMany({ model: model.model, values: texts, maxRetries: config().MODEL_MAX_RETRIES });
    return { result: embeddings, tokens: usage.tokens };
  });
  return { modelId: model.modelId, vectors };
}

/**
 * The passages' embeddings, paid by `payer`, or null (no model, or the call failed: logged, and
 * the passages are full-text only until the backfill embeds them). Their embedding space is
 * indexed before they are stored. A key with a budget gets no such deferral (the call's failure
 * is thrown): the backfill is paid by the organisation, beyond the key's budget.
 */
export async function embedPassages(db: Db, payer: EmbeddingPayer, texts: string[]): Promise<Embeddings | null> {
  if (texts.length === 0) return null;
  const model = await embeddingModelOf(db, payer.orgId);
  if (!model) return null;
  let embeddings: Embeddings;
  try {
    embeddings = await embedTexts(model, texts, payer);
  } catch (error) {
    // A key that cannot pay is refused, rather than its passages stored for the backfill to embed
    // at the organisation's cost; so is a key with a budget whose call failed.
    if (error instanceof ApiError) throw error;
    if (payer.key && payer.key.budgetUsdCents !== null) {
      const failed = toModelError(error, false, 0);
      throw new ApiError(
        failed.code,
        `${failed.message}: a key with a budget pays for its passages' embeddings when they are stored, so nothing was stored; try again`,
        { cause: error },
      );
    }
    console.log(
      `[knowledge] embedding ${texts.length} passage(s) with ${model.modelId} failed; they are searchable by full text only until embedded in the background: ${describeFailure(error)}`,
    );
    return null;
  }
  await ensureEmbeddingIndex(db, embeddings.modelId, embeddings.vectors[0]?.length ?? 0);
  return embeddings;
}

/**
 * pgvector's text form of a vector, always sent as a bind parameter: written into the SQL text,
 * it is parsed while the query is planned, where pgvector's parser (a 64 kB array on the stack)
 * overflows PGlite's WebAssembly stack in a nested query and crashes the database.
 */
export const vectorLiteral = (vector: number[]) => `[${vector.join(",")}]`;

export interface NewPassage {
  position: number;
  heading?: string;
  content: string;
}

/** What passages come from: a document, or a memory entry with its memory's public id. */
export type PassagesSource =
  | { type: "document"; document: Pick<KnowledgeDocument, "id" | "publicId" | "path"> }
  | { type: "memory"; memoryPublicId: string; entry: Pick<MemoryEntry, "id" | "publicId" | "tags"> };

/** A text[] literal of bind parameters (drizzle would spread a bare array into a list). */
export const textArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`;

/** The source's columns of each of its passages: its ids, and what a search selects by and cites. */
function sourceColumns(source: PassagesSource) {
  return source.type === "document"
    ? [
        sql`${source.document.id}::uuid`,
        sql`null::uuid`,
        sql`${source.document.publicId}`,
        sql`${source.document.path}`,
        sql`null`,
        sql`null`,
        sql`null::text[]`,
      ]
    : [
        sql`null::uuid`,
        sql`${source.entry.id}::uuid`,
        sql`null`,
        sql`null`,
        sql`${source.memoryPublicId}`,
        sql`${source.entry.publicId}`,
        textArray(source.entry.tags),
      ];
}

/**
 * Stores a source's passages, each with its embedding when there are embeddings (in order):
 * written once, never inserted and then updated, which would leave a dead copy of every row
 * behind (PGlite never vacuums). Raw SQL, because the embedding column is not in the schema
 * (lib/db/vectors.ts).
 */
export async function insertPassages(
  db: Pick<Db, "execute">,
  orgId: string,
  source: PassagesSource,
  passages: NewPassage[],
  embeddings: Embeddings | null,
): Promise<void> {
  const fromSource = sourceColumns(source);
  for (let start = 0; start < passages.length; start += PASSAGE_INSERT_BATCH) {
    const rows = passages.slice(start, start + PASSAGE_INSERT_BATCH).map((passage, i) => {
      const columns = [
        sql`${orgId}::uuid`,
        ...fromSource,
        sql`${passage.position}::integer`,
        sql`${passage.heading ?? ""}`,
        sql`${passage.content}`,
      ];
      if (embeddings) columns.push(sql`${embeddings.modelId}`, sql`${vectorLiteral(embeddings.vectors[start + i]!)}::vector`);
      return sql`(${sql.join(columns, sql`, `)})`;
    });
    const embedded = embeddings ? sql`, embedding_model, embedding` : sql``;
    await db.execute(
      sql`insert into knowledge_chunks (org_id, document_id, memory_entry_id, document_public_id, document_path, memory_public_id,
            entry_public_id, tags, position, heading, content${embedded})
          values ${sql.join(rows, sql`, `)}`,
    );
  }
}

/** The text a passage is embedded as: its headings give the body its context. */
export const embeddedText = (passage: { heading: string; content: string }) =>
  passage.heading ? `${passage.heading}\n${passage.content}` : passage.content;
