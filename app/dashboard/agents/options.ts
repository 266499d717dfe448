import { listAiProviders } from "@/lib/agents/providers";
import type { Db } from "@/lib/db";
import { listTools } from "@/lib/tools/store";
import type { ProviderOption, ToolOption } from "./agent-form";

/** What the agent form offers: the organisation's AI providers and tools, without any secret. */
export async function agentFormOptions(db: Db, orgId: string): Promise<{ providers: ProviderOption[]; tools: ToolOption[] }> {
  const [providers, tools] = await Promise.all([listAiProviders(db, orgId), listTools(db, orgId)]);
  return {
    providers: providers.map((provider) => ({ id: provider.publicId, name: provider.name, defaultModel: provider.defaultModel })),
    tools: tools.map((tool) => ({ id: tool.publicId, name: tool.name, type: tool.type, gated: tool.gated, description: tool.description })),
  };
}
