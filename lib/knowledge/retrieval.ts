/**
 * Full-text retrieval over an organisation's passages (document chunks and memory entries), in
 * one query, the same on PGlite and PostgreSQL. The query's words are OR-ed (a question seldom
 * repeats every word of its answer) and ranked by cover density, normalised to 0..1 as
 * rank / (rank + 1), so `min_score` has the same meaning whatever the passage's length.
 */
import { and, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { HEADING_SEPARATOR } from "./chunker";

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

/** The passages that best match the query, best first. */
export async function searchKnowledge(db: Db, orgId: string, query: string, options: SearchOptions): Promise<Passage[]> {
  // plainto_tsquery stems and drops stop words; its `&`s become `|`s (lexemes never contain `&`).
  const tsQuery = sql`replace(plainto_tsquery('english', ${query})::text, '&', '|')::tsquery`;
  const score = sql<number>`ts_rank_cd(${chunks.search}, ${tsQuery}, 32)`;
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
        sql`${chunks.search} @@ ${tsQuery}`,
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
    .limit(options.limit);
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

/** How a passage is cited: `path › heading` for documents, the memory for its entries. */
export function citationOf(passage: Passage): string {
  if (passage.source.type === "memory") return `memory ${passage.source.memoryId}`;
  return [passage.source.path, passage.heading].filter(Boolean).join(HEADING_SEPARATOR);
}
