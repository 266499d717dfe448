import type { GateAgent } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { resolveGateKey } from "@/lib/gate/agents";
import type { RequestContext } from "@/lib/http";
import { assertIpNotBlocked, enforceKeyLimit, recordFailedAuth } from "@/lib/ratelimit";
import { bearerToken } from "./bearer";

export interface GateCaller {
  agent: GateAgent;
  rateLimitHeaders: Record<string, string>;
}

/** `Authorization: Bearer sg_…`; paused or revoked agents, or a disabled API or polling, are a 403. */
export async function authenticateGateAgent(
  request: Request,
  context: RequestContext,
  options: { polling?: boolean } = {},
): Promise<GateCaller> {
  assertIpNotBlocked(context.ip);
  const secret = bearerToken(request);
  const agent = secret ? await resolveGateKey(secret) : null;
  if (!agent) {
    await recordFailedAuth(context.ip);
    throw new ApiError("UNAUTHENTICATED", "Missing or invalid API key");
  }
  if (agent.status === "revoked") throw new ApiError("FORBIDDEN", "This agent has been revoked");
  if (agent.status === "paused") throw new ApiError("FORBIDDEN", "This agent is paused");
  if (!agent.apiEnabled) throw new ApiError("FORBIDDEN", "API access is disabled for this agent");
  if (options.polling && !agent.pollingEnabled) throw new ApiError("FORBIDDEN", "Polling is disabled for this agent");
  const rateLimitHeaders = await enforceKeyLimit(`gate:${agent.id}`);
  return { agent, rateLimitHeaders };
}
