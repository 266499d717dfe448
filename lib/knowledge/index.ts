/** Knowledge: documents and memories, their passages, and what runs retrieve from them. */
export { chunkDocument, type Chunk } from "./chunker";
export {
  assertDocumentSize,
  deleteDocument,
  getDocument,
  listDocuments,
  passageCounts,
  saveDocument,
  type DocumentPassages,
} from "./documents";
export { addMemoryEntry, createMemory, deleteMemory, deleteMemoryEntry, getMemory, listMemories, listMemoryEntries } from "./memories";
export { embeddingModelChanged, knowledgeEmbedHandler, queueEmbeddingBackfills } from "./backfill";
export { documentFromFields, documentFromFile, readDocumentUpload } from "./upload";
export { searchDocuments, searchMemories } from "./search";
export { searchKnowledge, type KnowledgeSelection, type Passage, type RetrievalMode, type SearchResult } from "./retrieval";
export {
  knowledgeConfigOf,
  knowledgePrompt,
  knowledgeScopeOfKey,
  retrieveForRun,
  tracedPassages,
  WRITE_MEMORY_TOOL,
  writeMemoryEntry,
  writeMemoryToolSchema,
  type Retrieval,
} from "./runs";
export {
  searchResponse,
  serializeDocument,
  serializeDocumentDetail,
  serializeMemory,
  serializeMemoryEntry,
  serializePassage,
} from "./serialize";
