import { and, asc, count, eq } from "drizzle-orm";
import { encryptSecret } from "@/lib/crypto";
import { newPublicId, tables, type AiProvider, type Db } from "@/lib/db";
import { ApiError, notFound } from "@/lib/errors";
import type { AiProviderResponse } from "@/lib/contracts";
import { assertProviderUrlAllowed } from "@/lib/llm";
import { embeddingModelChanged } from "@/lib/knowledge";
import { forgetCachedAgents } from "./index";

export interface CreateAiProviderInput {
  orgId: string;
  name: string;
  type: "openai_compatible" | "demo";
  baseUrl?: string | null;
  /** Stored encrypted; never returned. */
  apiKey?: string | null;
  defaultModel?: string | null;
  embeddingModel?: string | null;
}

/** The provider's key is sent to its base URL: refuse private, loopback and metadata addresses up front (a 400). */
export async function createAiProvider(db: Db, input: CreateAiProviderInput): Promise<AiProvider> {
  if (input.baseUrl) await assertProviderUrlAllowed(input.baseUrl);
  const [provider] = await db
    .insert(tables.aiProviders)
    .values({
      publicId: newPublicId("aiProvider"),
      orgId: input.orgId,
      name: input.name,
      type: input.type,
      baseUrl: input.baseUrl ?? null,
      apiKeyCiphertext: input.apiKey ? encryptSecret(input.apiKey) : null,
      defaultModel: input.defaultModel ?? null,
      embeddingModel: input.embeddingModel ?? null,
    })
    .returning();
  if (!provider) throw new Error("AI provider insert returned no row");
  await embeddingModelChanged(db, input.orgId);
  return provider;
}

/** Oldest first; `page` for the dashboard's list, every provider without it. */
export function listAiProviders(db: Db, orgId: string, page?: { limit: number; offset: number }): Promise<AiProvider[]> {
  const query = db
    .select()
    .from(tables.aiProviders)
    .where(eq(tables.aiProviders.orgId, orgId))
    .orderBy(asc(tables.aiProviders.createdAt), asc(tables.aiProviders.id));
  return page ? query.limit(page.limit).offset(page.offset) : query;
}

export async function getAiProvider(db: Db, orgId: string, publicId: string): Promise<AiProvider> {
  const [provider] = await db
    .select()
    .from(tables.aiProviders)
    .where(and(eq(tables.aiProviders.orgId, orgId), eq(tables.aiProviders.publicId, publicId)))
    .limit(1);
  if (!provider) throw notFound("AI provider");
  return provider;
}

export interface UpdateAiProviderInput {
  name?: string;
  baseUrl?: string | null;
  apiKey?: string | null;
  defaultModel?: string | null;
  embeddingModel?: string | null;
}

export async function updateAiProvider(db: Db, orgId: string, publicId: string, input: UpdateAiProviderInput): Promise<AiProvider> {
  const current = await getAiProvider(db, orgId, publicId);
  if (input.baseUrl) await assertProviderUrlAllowed(input.baseUrl);
  const [provider] = await db
    .update(tables.aiProviders)
    .set({
      name: input.name ?? current.name,
      baseUrl: input.baseUrl === undefined ? current.baseUrl : input.baseUrl,
      apiKeyCiphertext: input.apiKey === undefined ? current.apiKeyCiphertext : input.apiKey === null ? null : encryptSecret(input.apiKey),
      defaultModel: input.defaultModel === undefined ? current.defaultModel : input.defaultModel,
      embeddingModel: input.embeddingModel === undefined ? current.embeddingModel : input.embeddingModel,
      updatedAt: new Date(),
    })
    .where(eq(tables.aiProviders.id, current.id))
    .returning();
  // Agents are cached together with their provider row, and the organisation's embedding model is one of its providers'.
  forgetCachedAgents();
  await embeddingModelChanged(db, orgId);
  return provider!;
}

/** Refuses to delete a provider that agents still use: they would stop working silently. */
export async function deleteAiProvider(db: Db, orgId: string, publicId: string): Promise<void> {
  const provider = await getAiProvider(db, orgId, publicId);
  const [usage] = await db.select({ agents: count() }).from(tables.agents).where(eq(tables.agents.aiProviderId, provider.id));
  if (usage && usage.agents > 0) {
    throw new ApiError("BAD_REQUEST", `AI provider ${publicId} is used by ${usage.agents} agent(s); move them to another provider first`);
  }
  await db.delete(tables.aiProviders).where(eq(tables.aiProviders.id, provider.id));
  await embeddingModelChanged(db, orgId);
}

/** The provider as the API shows it: the key itself is never returned, only whether one is set. */
export function serializeAiProvider(provider: AiProvider): AiProviderResponse {
  return {
    id: provider.publicId,
    project_id: provider.orgId,
    name: provider.name,
    type: provider.type,
    base_url: provider.baseUrl,
    default_model: provider.defaultModel,
    embedding_model: provider.embeddingModel,
    has_api_key: provider.apiKeyCiphertext !== null,
    created_at: provider.createdAt.toISOString(),
    updated_at: provider.updatedAt.toISOString(),
  };
}
