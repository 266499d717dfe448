import { findAgent, isAgentRef } from "@/lib/agents";
import { ApiError } from "@/lib/errors";
import { keyAllowsAgent } from "@/lib/keys";
import { authenticateApiKey, type ApiKeyAuth } from "@/lib/auth";
import type { ErrorRenderer, RequestContext } from "@/lib/http";

/** The Agents API's error shape: `{ "error": "message" }`. */
export const renderAgentsApiError: ErrorRenderer = (error) => {
  return Response.json({ error: error.message }, { status: error.status, headers: error.headers });
};

/**
 * Authenticates a caller of the Agents API (a project is an organisation). Managing agents,
 * tools and providers needs a key that is not limited to some agents.
 */
export async function authenticateProject(
  request: Request,
  context: RequestContext,
  options: { manage?: boolean } = {},
): Promise<ApiKeyAuth> {
  const auth = await authenticateApiKey(request, context);
  if (options.manage && auth.key.agentIds !== null) {
    throw new ApiError("FORBIDDEN", "This API key is limited to some agents and cannot manage the project", {
      headers: auth.rateLimitHeaders,
    });
  }
  return auth;
}

/** A `project_id` in a request or query must be the key's own organisation. */
export function assertOwnProject(auth: ApiKeyAuth, projectId: string | null | undefined): void {
  if (projectId && projectId !== auth.key.orgId) {
    throw new ApiError("FORBIDDEN", "project_id does not match this API key's project", { headers: auth.rateLimitHeaders });
  }
}

/**
 * A key limited to some agents may only run those. Checked against the agent's row so both
 * UUIDs and public ids work; other organisations' agents stay invisible (404 later).
 */
export async function agentScopeCheck(auth: ApiKeyAuth, agentRef: string): Promise<void> {
  if (auth.key.agentIds === null) return;
  const target = isAgentRef(agentRef) ? await findAgent(auth.key.orgId, agentRef) : null;
  if (target && !keyAllowsAgent(auth.key, target.agent.id)) {
    throw new ApiError("FORBIDDEN", "This API key is not allowed to use this agent", { headers: auth.rateLimitHeaders });
  }
}

/** A JSON response on this surface, with the key's rate-limit headers. */
export function json(auth: ApiKeyAuth, body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: auth.rateLimitHeaders });
}

export function noContent(auth: ApiKeyAuth): Response {
  return new Response(null, { status: 204, headers: auth.rateLimitHeaders });
}
