import { encryptSecret } from "@/lib/crypto";
import { newPublicId, tables, type AiProvider, type Db } from "@/lib/db";

export interface CreateAiProviderInput {
  orgId: string;
  name: string;
  type: "openai_compatible" | "demo";
  baseUrl?: string | null;
  /** Stored encrypted; never returned. */
  apiKey?: string | null;
  defaultModel?: string | null;
}

export async function createAiProvider(db: Db, input: CreateAiProviderInput): Promise<AiProvider> {
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
    })
    .returning();
  if (!provider) throw new Error("AI provider insert returned no row");
  return provider;
}
