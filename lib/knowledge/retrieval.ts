/**
 * Retrieval over an organisation's passages (document chunks and memory entries), the same on
 * PGlite and PostgreSQL. Full text: the query's words are OR-ed (a question seldom repeats every
 * word of its answer) and ranked by cover density, normalised to 0..1 as rank / (rank + 1), so
 * `min_score` has the same meaning whatever the passage's length. Vectors (where pgvector and an
 * embedding model are there): cosine similarity. Hybrid: both, fused by reciprocal rank.
 */
import { and, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { hasVectors, tables, type Db } from "@/lib/db";
import { HEADING_SEPARATOR } from "./chunker";
import { describeError, embeddingModelOf, embedTexts, vectorLiteral } from "./embeddings";

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
}

const { knowledgeChunks: chunks, documents, memories, memoryEntries: entries } = tables;

/** Document paths: exact ones, and folders (a trailing `/`) by prefix. */
function pathCondition(paths: readonly string[]): SQL | undefined {
  const exact = paths.filter((path) => !path.endsWith("/"));
  const folders = paths.filter((path) => path.endsWith("/"));
  return or(
    exact.length > 0 ? inArray(documents.path, [...exact]) : undefined,
    ...folders.map((folder) => sql`starts_with(${documents.path}, ${folder})`),
  );
}

/** The documents a selection names by id, path or folder; undefined when it names none. */
export function documentsNamedBy(selection: KnowledgeSelection): SQL | undefined {
  return or(
    selection.documentIds.length > 0 ? inArray(documents.publicId, [...selection.documentIds]) : undefined,
    pathCondition(selection.documentPaths),
  );
}

function documentCondition(selection: KnowledgeSelection): SQL | undefined {
  const named = documentsNamedBy(selection);
  return named && and(isNotNull(chunks.documentId), named);
}

function memoryCondition(selection: KnowledgeSelection): SQL | undefined {
  if (selection.memoryIds.length === 0 && selection.memoryTags.length === 0) return undefined;
  return and(
    isNotNull(chunks.memoryEntryId),
    selection.memoryIds.length > 0 ? inArray(memories.publicId, [...selection.memoryIds]) : undefined,
    selection.memoryTags.length > 0
      ? sql`${entries.tags} && array[${sql.join(
          selection.memoryTags.map((tag) => sql`${tag}`),
          sql`, `,
        )}]::text[]`
      : undefined,
  );
}

/** The selection as a condition; a selection naming nothing matches nothing. */
function selectionCondition(selection: KnowledgeSelection): SQL {
  return or(documentCondition(selection), memoryCondition(selection)) ?? sql`false`;
}

export const isEmptySelection = (selection: KnowledgeSelection) =>
  selection.documentIds.length + selection.documentPaths.length + selection.memoryIds.length + selection.memoryTags.length === 0;

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

/** One ranking's best passages: those matching `matches`, by `score` (0..1, at least min_score). */
async function rankedCandidates(
  db: Db,
  orgId: string,
  ranking: { score: SQL<number>; matches: SQL },
  options: SearchOptions,
  count: number,
): Promise<Passage[]> {
  const { score } = ranking;
  const rows = await db
    .select({
      chunkId: chunks.id,
      score,
      heading: chunks.heading,
      content: chunks.content,
      documentId: documents.publicId,
      path: documents.path,
      memoryId: memories.publicId,
      entryId: entries.publicId,
      tags: entries.tags,
    })
    .from(chunks)
    .leftJoin(documents, eq(documents.id, chunks.documentId))
    .leftJoin(entries, eq(entries.id, chunks.memoryEntryId))
    .leftJoin(memories, eq(memories.id, entries.memoryId))
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
        options.minScore > 0 ? sql`${score} >= ${options.minScore}` : undefined,
      ),
    )
    // By the score column's position: repeating its expression would rank every passage twice.
    .orderBy(sql`2 desc`, chunks.id)
    .limit(count);
  return rows.map((row) => ({
    chunkId: row.chunkId,
    score: Number(row.score),
    heading: row.heading,
    content: row.content,
    source:
      row.documentId !== null && row.path !== null
        ? { type: "document", documentId: row.documentId, path: row.path }
        : { type: "memory", memoryId: row.memoryId ?? "", entryId: row.entryId ?? "", tags: row.tags ?? [] },
  }));
}

/** Full text: the query's words OR-ed, ranked by cover density normalised to rank / (rank + 1). */
function fullTextRanking(query: string) {
  // plainto_tsquery stems and drops stop words; its `&`s become `|`s (lexemes never contain `&`).
  const tsQuery = sql`replace(plainto_tsquery('english', ${query})::text, '&', '|')::tsquery`;
  return { score: sql<number>`ts_rank_cd(${chunks.search}, ${tsQuery}, 32)`, matches: sql`${chunks.search} @@ ${tsQuery}` };
}

/** By meaning: cosine similarity (below 0 counts as 0) to passages embedded by the same model, with the same dimensions. */
function vectorRanking(embedding: { modelId: string; vector: number[] }) {
  const column = sql`${chunks}."embedding"`;
  const queryVector = sql`${vectorLiteral(embedding.vector)}::vector`;
  return {
    score: sql<number>`greatest(0, 1 - (${column} <=> ${queryVector}))`,
    matches: sql`${chunks.embeddingModel} = ${embedding.modelId} and vector_dims(${column}) = ${embedding.vector.length}`,
  };
}

/**
 * Reciprocal-rank fusion: each passage scores the sum of 1 / (RRF_K + rank) over the rankings
 * that found it, divided by the most it could score (first in both), so 1 is first in both
 * and 0.5 first in one only.
 */
function fuse(rankings: Passage[][], limit: number): Passage[] {
  const fused = new Map<string, Passage>();
  for (const ranking of rankings) {
    ranking.forEach((candidate, i) => {
      const share = 1 / (RRF_K + i + 1);
      const seen = fused.get(candidate.chunkId);
      fused.set(candidate.chunkId, { ...candidate, score: (seen?.score ?? 0) + share });
    });
  }
  const best = rankings.length / (RRF_K + 1);
  return [...fused.values()]
    .map((passage) => ({ ...passage, score: passage.score / best }))
    .sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId))
    .slice(0, limit);
}

/** Why vectors cannot serve this search, or the query's embedding. */
async function queryEmbedding(db: Db, orgId: string, query: string): Promise<{ modelId: string; vector: number[] } | { fallback: string }> {
  if (!hasVectors(db)) return { fallback: "pgvector is not installed on this database" };
  const model = await embeddingModelOf(db, orgId);
  if (!model) return { fallback: "no embedding model is configured" };
  try {
    const [vector] = (await embedTexts(model, [query])).vectors;
    // A zero vector has no direction: every cosine distance to it is undefined (NaN).
    if (!vector || vector.every((value) => value === 0)) return { fallback: "the query's embedding is empty" };
    return { modelId: model.modelId, vector };
  } catch (error) {
    return { fallback: `the query could not be embedded: ${describeError(error)}` };
  }
}

/**
 * The passages that best match the query, best first. Hybrid (the default where embeddings are
 * available) fuses the full-text and vector rankings, each passage having reached `min_score`
 * in the ranking that found it; otherwise one ranking, scored by its own 0..1 score.
 */
export async function searchKnowledge(db: Db, orgId: string, query: string, options: SearchOptions): Promise<SearchResult> {
  const fullText = (fallback: string | null): Promise<SearchResult> =>
    rankedCandidates(db, orgId, fullTextRanking(query), options, options.limit).then((passages) => ({
      passages,
      mode: "fulltext",
      fallback,
    }));
  if (options.mode === "fulltext") return fullText(null);
  const embedding = await queryEmbedding(db, orgId, query);
  if ("fallback" in embedding) return fullText(embedding.fallback);
  if (options.mode === "vector") {
    const passages = await rankedCandidates(db, orgId, vectorRanking(embedding), options, options.limit);
    return { passages, mode: "vector", fallback: null };
  }
  const candidates = options.limit * HYBRID_CANDIDATES_PER_RESULT;
  const rankings = await Promise.all([
    rankedCandidates(db, orgId, fullTextRanking(query), options, candidates),
    rankedCandidates(db, orgId, vectorRanking(embedding), options, candidates),
  ]);
  return { passages: fuse(rankings, options.limit), mode: "hybrid", fallback: null };
}

/** How a passage is cited: `path › heading` for documents, the memory for its entries. */
export function citationOf(passage: Passage): string {
  if (passage.source.type === "memory") return `memory ${passage.source.memoryId}`;
  return [passage.source.path, passage.heading].filter(Boolean).join(HEADING_SEPARATOR);
}
