import type { KnowledgeDocument, Memory, MemoryEntry } from "@/lib/db";
import type {
  DocumentDetailResponse,
  DocumentResponse,
  KnowledgePassageResponse,
  MemoryEntryResponse,
  MemoryResponse,
} from "@/lib/contracts";
import { citationOf, type Passage, type SearchResult } from "./retrieval";

export function serializeDocument(document: KnowledgeDocument): DocumentResponse {
  return {
    id: document.publicId,
    project_id: document.orgId,
    path: document.path,
    content_type: document.contentType,
    bytes: document.bytes,
    created_at: document.createdAt.toISOString(),
    updated_at: document.updatedAt.toISOString(),
  };
}

export const serializeDocumentDetail = (document: KnowledgeDocument): DocumentDetailResponse => ({
  ...serializeDocument(document),
  content: document.content,
});

export function serializeMemory(memory: Memory): MemoryResponse {
  return {
    id: memory.publicId,
    project_id: memory.orgId,
    name: memory.name,
    description: memory.description,
    created_at: memory.createdAt.toISOString(),
    updated_at: memory.updatedAt.toISOString(),
  };
}

export function serializeMemoryEntry(entry: MemoryEntry, memory: Memory): MemoryEntryResponse {
  return {
    id: entry.publicId,
    memory_id: memory.publicId,
    content: entry.content,
    tags: entry.tags,
    generation_id: entry.generationId,
    created_at: entry.createdAt.toISOString(),
  };
}

export function serializePassage(passage: Passage): KnowledgePassageResponse {
  const { source } = passage;
  return {
    chunk_id: passage.chunkId,
    score: passage.score,
    citation: citationOf(passage),
    content: passage.content,
    heading: passage.heading,
    document_id: source.type === "document" ? source.documentId : null,
    path: source.type === "document" ? source.path : null,
    memory_id: source.type === "memory" ? source.memoryId : null,
    entry_id: source.type === "memory" ? source.entryId : null,
    tags: source.type === "memory" ? source.tags : null,
  };
}

/** Header text: printable ASCII only, kept short (the reason may quote an upstream's error). */
const headerText = (text: string) => text.replace(/[^\x20-\x7e]/g, "?").slice(0, 300);

/** A search's passages, with the mode that ran (and why it fell back) in headers, beside the list. */
export function searchResponse(result: SearchResult): Response {
  const headers: Record<string, string> = { "Conduit-Retrieval-Mode": result.mode };
  if (result.fallback) headers["Conduit-Retrieval-Fallback"] = headerText(result.fallback);
  return Response.json(result.passages.map(serializePassage), { headers });
}
