import { bearerToken } from "@/lib/auth/bearer";
import { ApiError } from "@/lib/errors";
import type { ErrorRenderer, RequestContext } from "@/lib/http";
import { assertIpNotBlocked, enforceKeyLimit, recordFailedAuth } from "@/lib/ratelimit";
import type { GateAgent } from "@/lib/db";
import { resolveGateKey } from "./agents";

/** Bodies may carry base64 images, so the gate accepts more than the general 64 KB. */
export const GATE_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The gate answers errors in plain text (only token validation answers JSON). */
export const renderGateError: ErrorRenderer = (error) =>
  new Response(error.message, { status: error.status, headers: { ...error.headers, "Content-Type": "text/plain; charset=utf-8" } });

/** `Authorization: Bearer sg_…`; paused or revoked agents, or a disabled API or polling, are a 403. */
export async function authenticateGateAgent(
  request: Request,
  context: RequestContext,
  options: { polling?: boolean } = {},
): Promise<GateAgent> {
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
  await enforceKeyLimit(`gate:${agent.id}`);
  return agent;
}
