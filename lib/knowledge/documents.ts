import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { newPublicId, tables, type Db, type KnowledgeDocument } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { chunkDocument } from "./chunker";
import { embeddedText, embedPassages, insertPassages } from "./embeddings";
import type { DocumentUpload } from "@/lib/agents-api/schemas";
import { documentsNamedBy, type KnowledgeSelection } from "./retrieval";

export function assertDocumentSize(bytes: number): void {
  const max = config().KNOWLEDGE_MAX_DOCUMENT_BYTES;
  if (bytes > max) throw new ApiError("PAYLOAD_TOO_LARGE", `Document is ${bytes} bytes; at most ${max} are accepted`);
}

/**
 * Stores a document and its passages, embedded first (in one batch) where the organisation has an
 * embedding model. The same path in the same organisation replaces the
 * document (keeping its id, so agents that name it keep finding it) and its passages, in one
 * transaction: a search sees the old passages or the new ones, never neither.
 */
export async function saveDocument(
  db: Db,
  orgId: string,
  input: DocumentUpload,
): Promise<{ document: KnowledgeDocument; created: boolean }> {
  const bytes = Buffer.byteLength(input.content, "utf8");
  assertDocumentSize(bytes);
  const chunks = chunkDocument(input.content, input.content_type);
  const embeddings = await embedPassages(db, orgId, chunks.map(embeddedText));
  return db.transaction(async (tx) => {
    const [document] = await tx
      .insert(tables.documents)
      .values({
        publicId: newPublicId("document"),
        orgId,
        path: input.path,
        contentType: input.content_type,
        content: input.content,
        bytes,
      })
      .onConflictDoUpdate({
        target: [tables.documents.orgId, tables.documents.path],
        set: { contentType: input.content_type, content: input.content, bytes, updatedAt: sql`now()` },
      })
      .returning();
    if (!document) throw new Error("The document upsert returned no row");
    const created = document.createdAt.getTime() === document.updatedAt.getTime();
    if (!created) await tx.delete(tables.knowledgeChunks).where(eq(tables.knowledgeChunks.documentId, document.id));
    await insertPassages(
      tx,
      chunks.map((chunk, position) => ({ orgId, documentId: document.id, position, heading: chunk.heading, content: chunk.content })),
      embeddings,
    );
    return { document, created };
  });
}

/** The documents a scope names; null: every document. */
const scopeCondition = (scope: KnowledgeSelection | null) => (scope === null ? undefined : (documentsNamedBy(scope) ?? sql`false`));

export async function listDocuments(db: Db, orgId: string, scope: KnowledgeSelection | null): Promise<KnowledgeDocument[]> {
  return db
    .select()
    .from(tables.documents)
    .where(and(eq(tables.documents.orgId, orgId), scopeCondition(scope)))
    .orderBy(asc(tables.documents.path));
}

/** How many passages each of these documents has, by document row id. */
export async function passageCounts(db: Db, documents: KnowledgeDocument[]): Promise<Map<string, number>> {
  if (documents.length === 0) return new Map();
  const rows = await db
    .select({ documentId: tables.knowledgeChunks.documentId, passages: count() })
    .from(tables.knowledgeChunks)
    .where(
      inArray(
        tables.knowledgeChunks.documentId,
        documents.map((document) => document.id),
      ),
    )
    .groupBy(tables.knowledgeChunks.documentId);
  return new Map(rows.flatMap((row) => (row.documentId === null ? [] : [[row.documentId, row.passages] as const])));
}

/** A document by public id; one outside the scope is as absent as another organisation's. */
export async function getDocument(db: Db, orgId: string, documentId: string, scope: KnowledgeSelection | null): Promise<KnowledgeDocument> {
  const [document] = await db
    .select()
    .from(tables.documents)
    .where(and(eq(tables.documents.orgId, orgId), eq(tables.documents.publicId, documentId), scopeCondition(scope)));
  if (!document) throw notFound("Document");
  return document;
}

/** Deletes a document; its passages go with it (cascade), so no later search finds them. */
export async function deleteDocument(db: Db, orgId: string, documentId: string): Promise<void> {
  const deleted = await db
    .delete(tables.documents)
    .where(and(eq(tables.documents.orgId, orgId), eq(tables.documents.publicId, documentId)))
    .returning({ id: tables.documents.id });
  if (deleted.length === 0) throw notFound("Document");
}
