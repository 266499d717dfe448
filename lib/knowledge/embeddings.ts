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
import { refusedInput, resolveEmbeddingModel, toModelError, type ResolvedEmbeddingModel } from "@/lib/llm";
import { describeFailure } from "@/lib/runtime/failure";
import { processSingleton } from "@/lib/runtime/singleton";

/** Rows per insert: about ten parameters each (and one per tag of a memory entry), far below PostgreSQL's 65,535. */
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

/** Passages' embeddings: one per passage, in order, or null where the provider refused that passage. */
export interface PassageEmbeddings {
  modelId: string;
  vectors: Array<number[] | null>;
}

/** A text every embedding model takes: embedded when a batch is refused, to tell refused texts from a provider refusing all. */
const PROBE_TEXT = "probe";

/** Halves a batch the provider refused until each text is embedded or refused on its own. */
async function isolateRefused(model: ResolvedEmbeddingModel, texts: string[], payer: EmbeddingPayer): Promise<Array<number[] | null>> {
  if (texts.length === 1) return [null];
  const half = Math.ceil(texts.length / 2);
  const vectors: Array<number[] | null> = [];
  for (const part of [texts.slice(0, half), texts.slice(half)]) {
    try {
      vectors.push(...(await embedTexts(model, part, payer)).vectors);
    } catch (error) {
      if (!refusedInput(error)) throw error;
      vectors.push(...(await isolateRefused(model, part, payer)));
    }
  }
  return vectors;
}

/**
 * One embedding per passage, or null for each the provider refuses (too long for the model, say)
 * while it takes the others: a refused batch is halved until the refused passages are found, so
 * one of them does not keep the rest unembedded. A provider that refuses even a one-word text
 * refuses everything (a wrong model name, say): then the batch's failure is thrown.
 */
export async function embedEach(model: ResolvedEmbeddingModel, texts: string[], payer: EmbeddingPayer): Promise<PassageEmbeddings> {
  try {
    return await embedTexts(model, texts, payer);
  } catch (error) {
    if (!refusedInput(error)) throw error;
    try {
      await embedTexts(model, [PROBE_TEXT], payer);
    } catch {
      throw error;
    }
    const vectors = await isolateRefused(model, texts, payer);
    const refused = vectors.filter((vector) => vector === null).length;
    console.log(
      `[knowledge] ${model.modelId} refused ${refused} of ${texts.length} passage(s) (${describeFailure(error)}): they are searchable by full text only`,
    );
    return { modelId: model.modelId, vectors };
  }
}

/** Makes the index of the embeddings' space (see ensureEmbeddingIndex) before they are stored. */
export async function indexEmbeddings(db: Db, embeddings: PassageEmbeddings): Promise<void> {
  const dimensions = embeddings.vectors.find((vector) => vector !== null)?.length ?? 0;
  await ensureEmbeddingIndex(db, embeddings.modelId, dimensions);
}

/**
 * The passages' embeddings, paid by `payer`, or null (no model, or the call failed: logged, and
 * the passages are full-text only until the backfill embeds them). Their embedding space is
 * indexed before they are stored. A key with a budget gets no such deferral (the call's failure
 * is thrown): the backfill is paid by the organisation, beyond the key's budget.
 */
export async function embedPassages(db: Db, payer: EmbeddingPayer, texts: string[]): Promise<PassageEmbeddings | null> {
  if (texts.length === 0) return null;
  const model = await embeddingModelOf(db, payer.orgId);
  if (!model) return null;
  let embeddings: PassageEmbeddings;
  try {
    embeddings = await embedEach(model, texts, payer);
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
  await indexEmbeddings(db, embeddings);
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
 * Stores a source's passages, each with its embedding when there are embeddings (in order; one
 * the model refused is marked, so the backfill does not try it again): written once, never
 * inserted and then updated, which would leave a dead copy of every row behind (PGlite never
 * vacuums). Raw SQL, because the embedding column is not in the schema (lib/db/vectors.ts).
 */
export async function insertPassages(
  db: Pick<Db, "execute">,
  orgId: string,
  source: PassagesSource,
  passages: NewPassage[],
  embeddings: PassageEmbeddings | null,
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
      const vector = embeddings?.vectors[start + i];
      if (embeddings) {
        columns.push(
          vector ? sql`${embeddings.modelId}` : sql`null`,
          vector ? sql`${vectorLiteral(vector)}::vector` : sql`null::vector`,
          vector ? sql`null` : sql`${embeddings.modelId}`,
        );
      }
      return sql`(${sql.join(columns, sql`, `)})`;
    });
    const embedded = embeddings ? sql`, embedding_model, embedding, embedding_refused_by` : sql``;
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
