import type { ApiKeyAuth } from "@/lib/auth";
import { ApiError, notFound } from "@/lib/errors";
import { keyAllowsAgent } from "@/lib/keys";
import { assertAgentRef, findAgent, type AgentWithProvider } from "@/lib/agents";

/**
 * The agent a key may talk to. Another organisation's agent is indistinguishable from a
 * missing one (404); an agent of the key's own organisation outside the key's scope is a 403.
 */
export async function agentForKey(auth: ApiKeyAuth, ref: string, field = "agentId"): Promise<AgentWithProvider> {
  assertAgentRef(ref, field);
  const target = await findAgent(auth.key.orgId, ref);
  if (!target) throw notFound("Agent");
  if (!keyAllowsAgent(auth.key, target.agent.id)) {
    throw new ApiError("FORBIDDEN", "This API key is not allowed to use this agent");
  }
  return target;
}
