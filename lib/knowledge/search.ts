/** The search endpoints: a request's filters, within what the caller's key may read. */
import type { z } from "zod";
import type { SearchDocumentsRequest, SearchMemoriesRequest } from "@/lib/agents-api/schemas";
import type { BudgetedKey } from "@/lib/billing";
import type { Db } from "@/lib/db";
import { searchKnowledge, type KnowledgeSelection, type SearchResult } from "./retrieval";

const NOTHING: KnowledgeSelection = { documentIds: [], documentPaths: [], memoryIds: [], memoryTags: [] };

export function searchDocuments(
  db: Db,
  orgId: string,
  request: z.output<typeof SearchDocumentsRequest>,
  scope: KnowledgeSelection | null,
  paidBy: BudgetedKey | null,
): Promise<SearchResult> {
  const filtered = Boolean(request.document_ids?.length || request.document_paths?.length);
  const selection = filtered ? { ...NOTHING, documentIds: request.document_ids ?? [], documentPaths: request.document_paths ?? [] } : null;
  return searchKnowledge(db, orgId, request.query, {
    limit: request.limit,
    minScore: request.min_score,
    selection,
    scope,
    only: "document",
    mode: request.mode,
    paidBy,
  });
}

export function searchMemories(
  db: Db,
  orgId: string,
  request: z.output<typeof SearchMemoriesRequest>,
  scope: KnowledgeSelection | null,
  paidBy: BudgetedKey | null,
): Promise<SearchResult> {
  const filtered = Boolean(request.memory_ids?.length || request.memory_tags?.length);
  const selection = filtered ? { ...NOTHING, memoryIds: request.memory_ids ?? [], memoryTags: request.memory_tags ?? [] } : null;
  return searchKnowledge(db, orgId, request.query, {
    limit: request.limit,
    minScore: request.min_score,
    selection,
    scope,
    only: "memory",
    mode: request.mode,
    paidBy,
  });
}
