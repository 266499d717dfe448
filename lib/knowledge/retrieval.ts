/**
 * Retrieval over an organisation's passages (document chunks and memory entries), the same on
 * PGlite and PostgreSQL. Full text: the query's words are OR-ed (a question seldom repeats every
 * word of its answer) and ranked by frequency, heading words weighing more, divided by
 * 1 + log(length) and normalised to 0..1 as rank / (rank + 1), so `min_score` has the same
 * meaning whatever the passage's length. Vectors (where pgvector and an embedding model are
 * there): cosine similarity, approximate through the embedding space's HNSW index. Hybrid: both,
 * fused by reciprocal rank. Each ranking reads the chunks table alone: a passage carries what a
 * search selects it by and cites (its document's id and path, its memory's and entry's ids, tags).
 */
import { and, eq, inArray, isNotNull, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { BudgetedKey } from "@/lib/billing";
import { hasVectors, indexedEmbedding, inEmbeddingSpace, tables, type Db } from "@/lib/db";
import { HEADING_SEPARATOR } from "./chunker";
import { failureHeadline } from "@/lib/runtime/failure";
import { embeddingModelOf, embedTexts, textArray, vectorLiteral } from "./embeddings";

/** What a search may return: each list narrows its kind of source; an empty selection finds nothing. */
export interface KnowledgeSelection {
  documentIds: readonly string[];
  /** Exact paths, or folders (ending in `/`). */
  documentPaths: readonly string[];
  memoryIds: readonly string[];
  memoryTags: readonly string[];
}

export type PassageSource =
  { type: "document"; documentId: string; path: string } | { type: "memory"; memoryId: string; entryId: string; tags: string[] };

export interface Passage {
  chunkId: string;
  /** 0..1; higher is better. */
  score: number;
  heading: string;
  content: string;
  source: PassageSource;
}

export interface SearchOptions {
  limit: number;
  minScore: number;
  /** Null: every document and memory of the organisation. */
  selection: KnowledgeSelection | null;
  /** What the caller may see at all (a key limited to some agents); null: everything. */
  scope?: KnowledgeSelection | null;
  /** Only this kind of source. */
  only?: "document" | "memory";
  /** Unset: hybrid where embeddings are available, else full text. */
  mode?: RetrievalMode;
  /** The key that pays for the query's embedding, if any; one that cannot pay gets full text. */
  paidBy: BudgetedKey | null;
}

const { knowledgeChunks: chunks, documents } = tables;

/** Document paths, of documents or of passages: exact ones, and folders (a trailing `/`) by prefix. */
function pathCondition(path: AnyColumn, paths: readonly string[]): SQL | undefined {
  const exact = paths.filter((candidate) => !candidate.endsWith("/"));
  const folders = paths.filter((candidate) => candidate.endsWith("/"));
  return or(exact.length > 0 ? inArray(path, [...exact]) : undefined, ...folders.map((folder) => sql`starts_with(${path}, ${folder})`));
}

/** A selection's documents by id, path or folder, on the documents or the passages table; undefined when it names none. */
function namedDocuments(selection: KnowledgeSelection, columns: { publicId: AnyColumn; path: AnyColumn }): SQL | undefined {
  return or(
    selection.documentIds.length > 0 ? inArray(columns.publicId, [...selection.documentIds]) : undefined,
    pathCondition(columns.path, selection.documentPaths),
  );
}

/** The documents a selection names by id, path or folder; undefined when it names none. */
export const documentsNamedBy = (selection: KnowledgeSelection) => namedDocuments(selection, documents);

const namesDocuments = (selection: KnowledgeSelection) => selection.documentIds.length + selection.documentPaths.length > 0;
const namesMemories = (selection: KnowledgeSelection) => selection.memoryIds.length + selection.memoryTags.length > 0;

/** The passages of the memory entries a selection names (by memory and by tag); undefined when it names none. */
function memoryCondition(selection: KnowledgeSelection): SQL | undefined {
  if (!namesMemories(selection)) return undefined;
  return and(
    selection.memoryIds.length > 0 ? inArray(chunks.memoryPublicId, [...selection.memoryIds]) : undefined,
    selection.memoryTags.length > 0 ? sql`${chunks.tags} && ${textArray(selection.memoryTags)}` : undefined,
  );
}

/** The selection as a condition on a passage; a selection naming nothing matches nothing. */
const selectionCondition = (selection: KnowledgeSelection): SQL =>
  or(namedDocuments(selection, { publicId: chunks.documentPublicId, path: chunks.documentPath }), memoryCondition(selection)) ?? sql`false`;

export const isEmptySelection = (selection: KnowledgeSelection) => !namesDocuments(selection) && !namesMemories(selection);

/** How a search finds passages: by words, by meaning (embeddings), or both fused. */
export type RetrievalMode = "hybrid" | "fulltext" | "vector";

export interface SearchResult {
  passages: Passage[];
  /** The mode that ran. */
  mode: RetrievalMode;
  /** Why it is full text when more was asked for (or would be the default); null otherwise. */
  fallback: string | null;
}

/** Reciprocal-rank fusion's constant: ranks deep in either list still count, but little. */
const RRF_K = 60;
/** Candidates each ranking contributes to a hybrid search, per passage asked for. */
const HYBRID_CANDIDATES_PER_RESULT = 4;

/** How one ranking orders the chunks: `score` 0..1, best first; `order` ranks by it, through an index where one serves. */
interface Ranking {
  score: SQL<number>;
  order: SQL[];
  matches: SQL;
}

/**
 * One ranking's best `count` passages, best first, in one statement over the chunks table alone,
 * filtered by the selection and scope, ranked and limited. `min_score` is applied to them
 * afterwards: they are ordered by their score, so the best above it are the same either way, and
 * the ranking's expression is not computed twice. `found` counts them before min_score.
 */
async function rankedPassages(
  db: Db,
  orgId: string,
  ranking: Ranking,
  options: SearchOptions,
  count: number,
): Promise<{ found: number; passages: Passage[] }> {
  const rows = await db
    .select({
      chunkId: chunks.id,
      // Second: the full-text ranking orders by this column's position.
      score: sql<number>`${ranking.score}`.mapWith(Number),
      heading: chunks.heading,
      content: chunks.content,
      documentId: chunks.documentPublicId,
      path: chunks.documentPath,
      memoryId: chunks.memoryPublicId,
      entryId: chunks.entryPublicId,
      tags: chunks.tags,
    })
    .from(chunks)
    .where(
      and(
        eq(chunks.orgId, orgId),
        ranking.matches,
        options.only === "document"
          ? isNotNull(chunks.documentId)
          : options.only === "memory"
            ? isNotNull(chunks.memoryEntryId)
            : undefined,
        options.selection ? selectionCondition(options.selection) : undefined,
        options.scope ? selectionCondition(options.scope) : undefined,
      ),
    )
    .orderBy(...ranking.order)
    .limit(count);
  const passages = rows
    .map((row): Passage => {
      const source: PassageSource =
        row.documentId !== null && row.path !== null
          ? { type: "document", documentId: row.documentId, path: row.path }
          : { type: "memory", memoryId: row.memoryId ?? "", entryId: row.entryId ?? "", tags: row.tags ?? [] };
      return { chunkId: row.chunkId, score: row.score, heading: row.heading, content: row.content, source };
    })
    .sort(bestFirst);
  return { found: passages.length, passages: passages.filter((passage) => passage.score >= options.minScore) };
}

/** Higher score first; ties by chunk id, so the same search returns the same order. */
const bestFirst = (a: Passage, b: Passage) => b.score - a.score || a.chunkId.localeCompare(b.chunkId);

/** Full text: the query's words OR-ed, ranked by ts_rank over 1 + log(length), normalised to rank / (rank + 1). */
function fullTextRanking(query: string): Ranking {
  // plainto_tsquery stems and drops stop words; its `&`s become `|`s (lexemes never contain `&`).
  const tsQuery = sql`replace(plainto_tsquery('english', ${query})::text, '&', '|')::tsquery`;
  // Normalisation 1 | 32: measured on bench/knowledge-corpus, better ranked than cover density at half its cost.
  const score = sql<number>`ts_rank(${chunks.search}, ${tsQuery}, 33)`;
  return { score, order: [sql`2 desc`, sql`${chunks.id}`], matches: sql`${chunks.search} @@ ${tsQuery}` };
}

interface QueryEmbedding {
  modelId: string;
  vector: number[];
}

/**
 * By meaning: cosine similarity (below 0 counts as 0) to passages of the same embedding space.
 * Approximate: ordered by the expression the space's HNSW index holds. Exact: by the column
 * itself, which no index holds, so every passage is compared.
 */
function vectorRanking(embedding: QueryEmbedding, approximate: boolean): Ranking {
  const dimensions = embedding.vector.length;
  const column = approximate ? indexedEmbedding(dimensions) : sql.raw("knowledge_chunks.embedding");
  const distance = sql`${column} <=> ${vectorLiteral(embedding.vector)}::vector`;
  // By distance alone: an index scan yields that order; a second key would make the planner sort what it yields.
  return {
    score: sql<number>`greatest(0, 1 - (${distance}))`,
    order: [distance],
    matches: inEmbeddingSpace(embedding.modelId, dimensions),
  };
}

/**
 * The vector ranking's best passages: from the index, or, when it returns fewer than asked (a
 * search narrowed to a few passages among many the index holds may exhaust what it visits),
 * from comparing every passage the search may see.
 */
async function vectorPassages(db: Db, orgId: string, embedding: QueryEmbedding, options: SearchOptions, count: number): Promise<Passage[]> {
  const approximate = await rankedPassages(db, orgId, vectorRanking(embedding, true), options, count);
  if (approximate.found >= count) return approximate.passages;
  return (await rankedPassages(db, orgId, vectorRanking(embedding, false), options, count)).passages;
}

/** The vector ranking's best passages once the query is embedded, or why vectors cannot serve. */
async function embeddedPassages(
  db: Db,
  orgId: string,
  query: string,
  options: SearchOptions,
  count: number,
): Promise<Passage[] | { fallback: string }> {
  const embedding = await queryEmbedding(db, orgId, query, options.paidBy);
  return "fallback" in embedding ? embedding : vectorPassages(db, orgId, embedding, options, count);
}

const fullTextPassages = async (db: Db, orgId: string, query: string, options: SearchOptions, count: number) =>
  (await rankedPassages(db, orgId, fullTextRanking(query), options, count)).passages;

/**
 * Reciprocal-rank fusion: each passage scores the sum of 1 / (RRF_K + rank) over the rankings
 * that found it, divided by the most it could score (first in both), so 1 is first in both
 * and 0.5 first in one only.
 */
function fuse(rankings: Passage[][], limit: number): Passage[] {
  const fused = new Map<string, Passage>();
  for (const ranking of rankings) {
    ranking.forEach((passage, i) => {
      const score = (fused.get(passage.chunkId)?.score ?? 0) + 1 / (RRF_K + i + 1);
      fused.set(passage.chunkId, { ...passage, score });
    });
  }
  const best = rankings.length / (RRF_K + 1);
  return [...fused.values()]
    .map((passage) => ({ ...passage, score: passage.score / best }))
    .sort(bestFirst)
    .slice(0, limit);
}

/** Why vectors cannot serve this search, or the query's embedding. */
async function queryEmbedding(
  db: Db,
  orgId: string,
  query: string,
  paidBy: BudgetedKey | null,
): Promise<QueryEmbedding | { fallback: string }> {
  if (!hasVectors(db)) return { fallback: "pgvector is not installed on this database" };
  const model = await embeddingModelOf(db, orgId);
  if (!model) return { fallback: "no embedding model is configured" };
  try {
    const [vector] = (await embedTexts(model, [query], { orgId, key: paidBy })).vectors;
    // A zero vector has no direction: every cosine distance to it is undefined (NaN).
    if (!vector || vector.every((value) => value === 0)) return { fallback: "the query's embedding is empty" };
    return { modelId: model.modelId, vector };
  } catch (error) {
    return { fallback: `the query could not be embedded: ${failureHeadline(error)}` };
  }
}

/**
 * The passages that best match the query, best first. Hybrid (the default where embeddings are
 * available) fuses the full-text and vector rankings, each passage having reached `min_score`
 * in the ranking that found it; otherwise one ranking, scored by its own 0..1 score.
 */
export async function searchKnowledge(db: Db, orgId: string, query: string, options: SearchOptions): Promise<SearchResult> {
  const fullTextOnly = async (fallback: string | null): Promise<SearchResult> => ({
    passages: await fullTextPassages(db, orgId, query, options, options.limit),
    mode: "fulltext",
    fallback,
  });
  if (options.mode === "fulltext") return fullTextOnly(null);
  if (options.mode === "vector") {
    const vector = await embeddedPassages(db, orgId, query, options, options.limit);
    return "fallback" in vector ? fullTextOnly(vector.fallback) : { passages: vector, mode: "vector", fallback: null };
  }
  // Hybrid: the full-text ranking runs while the query is embedded, and the vector ranking is sent
  // as soon as the embedding is there (the database runs it next); full text's best `limit` are
  // the answer should vectors fail.
  const candidates = options.limit * HYBRID_CANDIDATES_PER_RESULT;
  const [fullText, vector] = await Promise.all([
    fullTextPassages(db, orgId, query, options, candidates),
    embeddedPassages(db, orgId, query, options, candidates),
  ]);
  if ("fallback" in vector) return { passages: fullText.slice(0, options.limit), mode: "fulltext", fallback: vector.fallback };
  return { passages: fuse([fullText, vector], options.limit), mode: "hybrid", fallback: null };
}

/** How a passage is cited: `path › heading` for documents, the memory for its entries. */
export function citationOf(passage: Passage): string {
  if (passage.source.type === "memory") return `memory ${passage.source.memoryId}`;
  return [passage.source.path, passage.heading].filter(Boolean).join(HEADING_SEPARATOR);
}
