import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import type { BudgetedKey } from "@/lib/billing";
import { newPublicId, tables, type Db, type Memory, type MemoryEntry } from "@/lib/db";
import { notFound } from "@/lib/errors";
import type { KnowledgeSelection } from "./retrieval";
import { storeWithPassages } from "./backfill";
import { insertPassages } from "./embeddings";
import type { CreateMemoryEntryRequest, CreateMemoryRequest } from "@/lib/agents-api/schemas";

/** Most entries a list returns, newest first. */
const ENTRY_LIST_LIMIT = 200;

/** The memories a scope names; null: every memory. */
const scopeCondition = (scope: KnowledgeSelection | null) =>
  scope === null ? undefined : scope.memoryIds.length > 0 ? inArray(tables.memories.publicId, [...scope.memoryIds]) : sql`false`;

export async function createMemory(db: Db, orgId: string, input: z.output<typeof CreateMemoryRequest>): Promise<Memory> {
  const [memory] = await db
    .insert(tables.memories)
    .values({ publicId: newPublicId("memory"), orgId, name: input.name, description: input.description ?? null })
    .returning();
  if (!memory) throw new Error("The memory insert returned no row");
  return memory;
}

export async function listMemories(db: Db, orgId: string, scope: KnowledgeSelection | null): Promise<Memory[]> {
  return db
    .select()
    .from(tables.memories)
    .where(and(eq(tables.memories.orgId, orgId), scopeCondition(scope)))
    .orderBy(asc(tables.memories.createdAt), asc(tables.memories.id));
}

/** A memory by public id; one outside the scope is as absent as another organisation's. */
export async function getMemory(db: Db, orgId: string, memoryId: string, scope: KnowledgeSelection | null): Promise<Memory> {
  const [memory] = await db
    .select()
    .from(tables.memories)
    .where(and(eq(tables.memories.orgId, orgId), eq(tables.memories.publicId, memoryId), scopeCondition(scope)));
  if (!memory) throw notFound("Memory");
  return memory;
}

/** Deletes a memory with its entries and their passages (cascade). */
export async function deleteMemory(db: Db, orgId: string, memoryId: string): Promise<void> {
  const deleted = await db
    .delete(tables.memories)
    .where(and(eq(tables.memories.orgId, orgId), eq(tables.memories.publicId, memoryId)))
    .returning({ id: tables.memories.id });
  if (deleted.length === 0) throw notFound("Memory");
}

/**
 * Adds an entry and its passage (embedded first where it can be) in one transaction: it is
 * retrievable as soon as this returns, by meaning too once embedded (in the background if the call failed).
 */
export async function addMemoryEntry(
  db: Db,
  memory: Memory,
  input: z.output<typeof CreateMemoryEntryRequest>,
  paidBy: BudgetedKey | null,
  generationId: string | null = null,
): Promise<MemoryEntry> {
  const tags = [...new Set(input.tags)];
  return storeWithPassages(db, { orgId: memory.orgId, key: paidBy }, [input.content], async (tx, embeddings) => {
    const [entry] = await tx
      .insert(tables.memoryEntries)
      .values({
        publicId: newPublicId("memoryEntry"),
        orgId: memory.orgId,
        memoryId: memory.id,
        content: input.content,
        tags,
        generationId,
      })
      .returning();
    if (!entry) throw new Error("The memory entry insert returned no row");
    await insertPassages(
      tx,
      memory.orgId,
      { type: "memory", memoryPublicId: memory.publicId, entry },
      [{ position: 0, content: input.content }],
      embeddings,
    );
    return entry;
  });
}

export async function listMemoryEntries(db: Db, memory: Memory): Promise<MemoryEntry[]> {
  return db
    .select()
    .from(tables.memoryEntries)
    .where(eq(tables.memoryEntries.memoryId, memory.id))
    .orderBy(desc(tables.memoryEntries.createdAt), desc(tables.memoryEntries.id))
    .limit(ENTRY_LIST_LIMIT);
}

export async function deleteMemoryEntry(db: Db, memory: Memory, entryId: string): Promise<void> {
  const deleted = await db
    .delete(tables.memoryEntries)
    .where(and(eq(tables.memoryEntries.memoryId, memory.id), eq(tables.memoryEntries.publicId, entryId)))
    .returning({ id: tables.memoryEntries.id });
  if (deleted.length === 0) throw notFound("Memory entry");
}
