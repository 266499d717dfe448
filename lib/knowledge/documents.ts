import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { BudgetedKey } from "@/lib/billing";
import { config } from "@/lib/config";
import { newPublicId, tables, type Db, type KnowledgeDocument } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import { chunkDocument } from "./chunker";
import { storeWithPassages } from "./backfill";
import { embeddedText, embeddingModelOf, insertPassages } from "./embeddings";
import type { DocumentUpload } from "@/lib/agents-api/schemas";
import { documentsNamedBy, type KnowledgeSelection } from "./retrieval";

export function assertDocumentSize(bytes: number): void {
  const max = config().KNOWLEDGE_MAX_DOCUMENT_BYTES;
  if (bytes > max) throw new ApiError("PAYLOAD_TOO_LARGE", `Document is ${bytes} bytes; at most ${max} are accepted`);
}

/**
 * Stores a document and its passages, embedded first (in one batch) where the organisation has an
 * embedding model (in the background when that call fails). The same path in the same
 * organisation replaces the document (keeping its id, so agents that name it keep finding it) and
 * its passages, in one transaction: a search sees the old passages or the new ones, never neither.
 * The embedding call is paid by the key it came in with, if any (refused when it cannot pay).
 */
export async function saveDocument(
  db: Db,
  orgId: string,
  input: DocumentUpload,
  paidBy: BudgetedKey | null,
): Promise<{ document: KnowledgeDocument; created: boolean }> {
  const bytes = Buffer.byteLength(input.content, "utf8");
  assertDocumentSize(bytes);
  const chunks = chunkDocument(input.content, input.content_type);
  return storeWithPassages(db, { orgId, key: paidBy }, chunks.map(embeddedText), async (tx, embeddings) => {
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
      orgId,
      { type: "document", document },
      chunks.map((chunk, position) => ({ position, heading: chunk.heading, content: chunk.content })),
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

export interface DocumentPassages {
  passages: number;
  /** Embedded by the organisation's current embedding model, so found by meaning too; null: it has none. */
  embedded: number | null;
}

/** How many passages each of these documents has, and how many are embedded, by document row id. */
export async function passageCounts(db: Db, orgId: string, documents: KnowledgeDocument[]): Promise<Map<string, DocumentPassages>> {
  if (documents.length === 0) return new Map();
  const { knowledgeChunks: chunks } = tables;
  const model = await embeddingModelOf(db, orgId);
  const rows = await db
    .select({
      documentId: chunks.documentId,
      passages: count(),
      embedded: model ? sql<number>`(count(*) filter (where ${chunks.embeddingModel} = ${model.modelId}))::integer` : sql<null>`null`,
    })
    .from(chunks)
    .where(
      inArray(
        chunks.documentId,
        documents.map((document) => document.id),
      ),
    )
    .groupBy(chunks.documentId);
  return new Map(
    rows.flatMap((row) => (row.documentId === null ? [] : [[row.documentId, { passages: row.passages, embedded: row.embedded }] as const])),
  );
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
