/** What a run of an agent gets from its `knowledge_config`: passages before the model call, and write_memory. */
import { inArray } from "drizzle-orm";
import type { BudgetedKey } from "@/lib/billing";
import { tables, type Db } from "@/lib/db";
import { addMemoryEntry, getMemory } from "./memories";
import { citationOf, isEmptySelection, searchKnowledge, type KnowledgeSelection, type Passage, type RetrievalMode } from "./retrieval";
import { CreateMemoryEntryRequest, DEFAULT_PASSAGE_LIMIT, KnowledgeConfig } from "@/lib/agents-api/schemas";

/** An agent's stored config, read leniently: one that no longer parses retrieves nothing. */
export function knowledgeConfigOf(stored: Record<string, unknown> | null): KnowledgeConfig {
  if (stored === null) return {};
  const parsed = KnowledgeConfig.safeParse(stored);
  return parsed.success ? parsed.data : {};
}

export function selectionOf(config: KnowledgeConfig): KnowledgeSelection {
  return {
    documentIds: config.document_ids ?? [],
    documentPaths: config.document_paths ?? [],
    memoryIds: config.memory_ids ?? [],
    memoryTags: config.memory_tags ?? [],
  };
}

export interface Retrieval {
  query: string;
  limit: number;
  minScore: number;
  passages: Passage[];
  mode: RetrievalMode;
  /** Why the run's retrieval fell back to full text; null: it did not. */
  fallback: string | null;
}

/**
 * The passages for a run: one query (embedded once, where embeddings are available), or none at all when the agent's config names no knowledge
 * or the run has no user text to search with.
 */
export async function retrieveForRun(
  db: Db,
  orgId: string,
  config: KnowledgeConfig,
  query: string,
  paidBy: BudgetedKey | null,
): Promise<Retrieval | null> {
  const selection = selectionOf(config);
  if (isEmptySelection(selection) || query.trim() === "") return null;
  const limit = config.limit ?? DEFAULT_PASSAGE_LIMIT;
  const minScore = config.min_score ?? 0;
  const { passages, mode, fallback } = await searchKnowledge(db, orgId, query, { limit, minScore, selection, mode: config.mode, paidBy });
  return { query, limit, minScore, passages, mode, fallback };
}

/** The passages as the model reads them: numbered, so an answer can cite `[1]`. */
export function knowledgePrompt(passages: Passage[]): string {
  const sources = passages.map((passage, i) => `[${i + 1}] ${citationOf(passage)}\n${passage.content}`);
  return [
    "Knowledge: passages from the organisation's documents and memories that may answer the user. " +
      "Use them when they are relevant and cite them by number, e.g. [1].",
    ...sources,
  ].join("\n\n");
}

/** The passages as the trace records them: source, score and chunk. */
export function tracedPassages(retrieval: Retrieval) {
  return retrieval.passages.map((passage, i) => ({
    n: i + 1,
    chunk_id: passage.chunkId,
    score: passage.score,
    citation: citationOf(passage),
    source:
      passage.source.type === "document"
        ? { type: "document", document_id: passage.source.documentId, path: passage.source.path, heading: passage.heading }
        : { type: "memory", memory_id: passage.source.memoryId, entry_id: passage.source.entryId, tags: passage.source.tags },
  }));
}

export const WRITE_MEMORY_TOOL = "write_memory";

export const writeMemoryToolSchema = {
  type: "object",
  properties: {
    content: { type: "string", description: "What to remember, as a short self-contained statement" },
    tags: { type: "array", items: { type: "string" }, description: "Optional tags to find it by" },
  },
  required: ["content"],
} as const;

/** The write_memory tool's work: an entry in the agent's memory, retrievable by later runs at once. */
export async function writeMemoryEntry(
  db: Db,
  orgId: string,
  memoryId: string,
  args: unknown,
  generationId: string,
  paidBy: BudgetedKey | null,
) {
  const input = CreateMemoryEntryRequest.parse(args);
  const memory = await getMemory(db, orgId, memoryId, null);
  const entry = await addMemoryEntry(db, memory, input, paidBy, generationId);
  return { entry_id: entry.publicId, memory_id: memory.publicId, tags: entry.tags };
}

/**
 * What a key may read (null: everything); one limited to some agents reads the documents and memories its agents'
 * knowledge_configs name by id, path or folder, and the memories they write to. Tags grant
 * nothing (they select entries within what an agent reads, not what a key may list).
 */
export async function knowledgeScopeOfKey(db: Db, key: { agentIds: string[] | null }): Promise<KnowledgeSelection | null> {
  if (key.agentIds === null) return null;
  const rows =
    key.agentIds.length === 0
      ? []
      : await db.select({ config: tables.agents.knowledgeConfig }).from(tables.agents).where(inArray(tables.agents.id, key.agentIds));
  const configs = rows.map((row) => knowledgeConfigOf(row.config));
  return {
    documentIds: configs.flatMap((config) => config.document_ids ?? []),
    documentPaths: configs.flatMap((config) => config.document_paths ?? []),
    memoryIds: configs.flatMap((config) => [...(config.memory_ids ?? []), ...(config.write_memory_id ? [config.write_memory_id] : [])]),
    memoryTags: [],
  };
}
