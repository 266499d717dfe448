/**
 * Response bodies of the knowledge API (`/api/v1/documents…`, `/api/v1/memories…`), a Conduit
 * addition to the Agents API with its conventions: every field present, `null` when it does not apply.
 */
import { z } from "zod";
import { storedDocumentContentTypes } from "@/lib/agents-api/schemas";
import { publicId, timestamp } from "./fields";

const projectId = publicId("owning project", "proj_V1StGXR8Z5jdHi6B");

export const DocumentResponse = z.strictObject({
  id: publicId("document", "doc_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  path: z.string(),
  content_type: z.enum(storedDocumentContentTypes),
  bytes: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type DocumentResponse = z.input<typeof DocumentResponse>;

export const DocumentDetailResponse = DocumentResponse.extend({ content: z.string() });
export type DocumentDetailResponse = z.input<typeof DocumentDetailResponse>;

export const MemoryResponse = z.strictObject({
  id: publicId("memory", "mem_V1StGXR8Z5jdHi6B"),
  project_id: projectId,
  name: z.string(),
  description: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type MemoryResponse = z.input<typeof MemoryResponse>;

export const MemoryEntryResponse = z.strictObject({
  id: publicId("memory entry", "mem_entry_V1StGXR8Z5jdHi6B"),
  memory_id: publicId("memory", "mem_V1StGXR8Z5jdHi6B"),
  content: z.string(),
  tags: z.array(z.string()),
  generation_id: z
    .string()
    .nullable()
    .meta({ description: "The generation that wrote it with write_memory; null: written through the API" }),
  created_at: timestamp,
});
export type MemoryEntryResponse = z.input<typeof MemoryEntryResponse>;

export const KnowledgePassageResponse = z.strictObject({
  chunk_id: z.uuid(),
  score: z.number().meta({ description: "Full-text rank normalised to 0..1; higher is better" }),
  citation: z.string().meta({
    description: "`path › heading` for a document's passage, `memory mem_…` for an entry",
    example: "handbook/refunds.md › Refunds › Window",
  }),
  content: z.string(),
  heading: z.string().meta({ description: "Headings above the passage, outermost first, joined with ` › `" }),
  document_id: z.string().nullable(),
  path: z.string().nullable(),
  memory_id: z.string().nullable(),
  entry_id: z.string().nullable(),
  tags: z.array(z.string()).nullable(),
});
export type KnowledgePassageResponse = z.input<typeof KnowledgePassageResponse>;
