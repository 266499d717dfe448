/**
 * Knowledge (Conduit's addition to the Agents API): documents and memories, and searching them.
 * A key limited to some agents may read and search only what its agents' knowledge_config
 * names (ids, paths and folders, and the write_memory_id memory); changing knowledge needs a
 * key that is not limited to some agents.
 */
import { schemaRef } from "../components";
import { emptyResponse, ok, okList, operation, pathParam, surfaces, type Paths } from "../operation";

const surface = surfaces.agentsApi;
const deleted = { 204: emptyResponse("Deleted") };
const scoped = "A key limited to some agents sees only what its agents' knowledge_config names.";

export const knowledgePaths: Paths = {
  "/api/v1/documents": {
    post: operation(surface, "createDocument", {
      tag: "documents",
      summary: "Upload a document",
      description:
        "Text, Markdown or HTML, as JSON or as a multipart upload (`file`, optional `path` and `content_type`; the type is also told from the file's type or extension); a PDF is uploaded as a file and stored as its text, each page a section headed `p. N` (password-protected, unreadable or textless PDFs, or more than KNOWLEDGE_MAX_PDF_PAGES pages: 422). " +
        "The document is split into passages along its headings and paragraphs and is searchable at once. Uploading to a path the project already has replaces that document and its passages in one step, keeping its id (200). Size-capped by KNOWLEDGE_MAX_DOCUMENT_BYTES (413). " +
        "The passages' embedding (where the project has an embedding model) is paid by the key: one whose budget cannot cover it is refused (429) and nothing is stored. " +
        "When the embedding call fails, the document is stored and embedded later in the background, at the project's cost; for a key with a budget it is refused instead (502) and nothing is stored.",
      bodyContent: {
        "application/json": { schema: schemaRef("CreateDocumentRequest") },
        "multipart/form-data": {
          schema: {
            type: "object",
            required: ["file"],
            properties: {
              file: { type: "string", format: "binary" },
              path: { type: "string", description: "Defaults to the file's name" },
              content_type: { type: "string", enum: ["text/plain", "text/markdown", "text/html", "application/pdf"] },
            },
          },
        },
      },
      responses: { 200: ok("Document replaced", "DocumentResponse"), 201: ok("Document created", "DocumentResponse") },
      errors: [400, 401, 403, 413, 415, 422, 429, 502],
    }),
    get: operation(surface, "listDocuments", {
      tag: "documents",
      summary: "List documents",
      description: scoped,
      responses: { 200: okList("Documents, by path", "DocumentResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/v1/documents/search": {
    post: operation(surface, "searchDocuments", {
      tag: "documents",
      summary: "Search documents",
      description: `Search over the documents' passages (hybrid, full-text or vector: see \`mode\`), best first, with scores from 0 to 1. The mode that ran is in the \`Conduit-Retrieval-Mode\` header, and why it fell back to full text in \`Conduit-Retrieval-Fallback\` (e.g. a key whose budget cannot pay for the query's embedding). ${scoped}`,
      body: "SearchDocumentsRequest",
      responses: { 200: okList("Matching passages", "KnowledgePassageResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/v1/documents/{document_id}": {
    get: operation(surface, "getDocument", {
      tag: "documents",
      summary: "Get a document, with its content",
      parameters: [pathParam("document_id")],
      responses: { 200: ok("Document", "DocumentDetailResponse") },
      errors: [401, 403, 404, 429],
    }),
    delete: operation(surface, "deleteDocument", {
      tag: "documents",
      summary: "Delete a document",
      description: "Its passages go with it: no later search or run finds them.",
      parameters: [pathParam("document_id")],
      responses: deleted,
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/v1/memories": {
    post: operation(surface, "createMemory", {
      tag: "memories",
      summary: "Create a memory",
      body: "CreateMemoryRequest",
      responses: { 201: ok("Memory created", "MemoryResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
    get: operation(surface, "listMemories", {
      tag: "memories",
      summary: "List memories",
      description: scoped,
      responses: { 200: okList("Memories", "MemoryResponse") },
      errors: [401, 403, 429],
    }),
  },
  "/api/v1/memories/search": {
    post: operation(surface, "searchMemories", {
      tag: "memories",
      summary: "Search memory entries",
      description: `Search over memory entries (hybrid, full-text or vector: see \`mode\`), best first, with scores from 0 to 1. The mode that ran is in the \`Conduit-Retrieval-Mode\` header, and why it fell back to full text in \`Conduit-Retrieval-Fallback\`. ${scoped}`,
      body: "SearchMemoriesRequest",
      responses: { 200: okList("Matching entries", "KnowledgePassageResponse") },
      errors: [400, 401, 403, 413, 429],
    }),
  },
  "/api/v1/memories/{memory_id}": {
    get: operation(surface, "getMemory", {
      tag: "memories",
      summary: "Get a memory",
      parameters: [pathParam("memory_id")],
      responses: { 200: ok("Memory", "MemoryResponse") },
      errors: [401, 403, 404, 429],
    }),
    delete: operation(surface, "deleteMemory", {
      tag: "memories",
      summary: "Delete a memory with its entries",
      parameters: [pathParam("memory_id")],
      responses: deleted,
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/v1/memories/{memory_id}/entries": {
    post: operation(surface, "createMemoryEntry", {
      tag: "memories",
      summary: "Add an entry to a memory",
      description:
        "The entry's embedding (where the project has an embedding model) is paid by the key: one whose budget cannot cover it is refused (429) and nothing is stored. " +
        "When the embedding call fails, the entry is stored and embedded later in the background, at the project's cost; for a key with a budget it is refused instead (502) and nothing is stored.",
      parameters: [pathParam("memory_id")],
      body: "CreateMemoryEntryRequest",
      responses: { 201: ok("Entry added", "MemoryEntryResponse") },
      errors: [400, 401, 403, 404, 413, 429, 502],
    }),
    get: operation(surface, "listMemoryEntries", {
      tag: "memories",
      summary: "List a memory's entries, newest first",
      parameters: [pathParam("memory_id")],
      responses: { 200: okList("Entries (at most 200)", "MemoryEntryResponse") },
      errors: [401, 403, 404, 429],
    }),
  },
  "/api/v1/memories/{memory_id}/entries/{entry_id}": {
    delete: operation(surface, "deleteMemoryEntry", {
      tag: "memories",
      summary: "Delete a memory entry",
      parameters: [pathParam("memory_id"), pathParam("entry_id")],
      responses: deleted,
      errors: [401, 403, 404, 429],
    }),
  },
};
