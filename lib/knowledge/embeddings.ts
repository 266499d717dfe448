/**
 * Embeddings of passages and queries, with the organisation's embedding model: that of its
 * oldest AI provider naming one, else the deployment's (EMBEDDING_MODEL). A failed call never
 * fails what asked for it: passages stay full-text only, and a search falls back to full text.
 */
import { embedMany } from "ai";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { hasVectors, tables, type Db } from "@/lib/db";
import { resolveEmbeddingModel, type ResolvedEmbeddingModel } from "@/lib/llm";

/** Rows per update: two parameters each, far below PostgreSQL's 65,535. */
const EMBEDDING_UPDATE_BATCH = 500;

export interface Embeddings {
  modelId: string;
  vectors: number[][];
}

/** The organisation's embedding model; null where this database has no pgvector or none is configured. */
export async function embeddingModelOf(db: Db, orgId: string): Promise<ResolvedEmbeddingModel | null> {
  if (!hasVectors(db)) return null;
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

export const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One embedding per text, in one batched call (the SDK splits it at the model's limit). */
export async function embedTexts(model: ResolvedEmbeddingModel, texts: string[]): Promise<Embeddings> {
  const { embeddings } = await embedMany({ model: model.model, values: texts, maxRetries: config().MODEL_MAX_RETRIES });
  return { modelId: model.modelId, vectors: embeddings };
}

/** The passages' embeddings, or null (no model, or the call failed: logged, and the passages stay full-text only). */
export async function embedPassages(db: Db, orgId: string, texts: string[]): Promise<Embeddings | null> {
  if (texts.length === 0) return null;
  const model = await embeddingModelOf(db, orgId);
  if (!model) return null;
  try {
    return await embedTexts(model, texts);
  } catch (error) {
    console.log(
      `[knowledge] embedding ${texts.length} passage(s) with ${model.modelId} failed; they are searchable by full text only: ${describeError(error)}`,
    );
    return null;
  }
}

/** pgvector's text form of a vector. */
export const vectorLiteral = (vector: number[]) => `[${vector.join(",")}]`;

/** Stores embeddings for the chunks with these ids, in order. */
export async function storeEmbeddings(db: Pick<Db, "execute">, chunkIds: string[], embeddings: Embeddings): Promise<void> {
  for (let start = 0; start < chunkIds.length; start += EMBEDDING_UPDATE_BATCH) {
    const rows = chunkIds
      .slice(start, start + EMBEDDING_UPDATE_BATCH)
      .map((id, i) => sql`(${id}::uuid, ${vectorLiteral(embeddings.vectors[start + i]!)})`);
    await db.execute(
      sql`update knowledge_chunks as chunk set embedding = given.embedding::vector, embedding_model = ${embeddings.modelId}
          from (values ${sql.join(rows, sql`, `)}) as given (id, embedding) where chunk.id = given.id`,
    );
  }
}

/** The text a passage is embedded as: its headings give the body its context. */
export const embeddedText = (passage: { heading: string; content: string }) =>
  passage.heading ? `${passage.heading}\n${passage.content}` : passage.content;
