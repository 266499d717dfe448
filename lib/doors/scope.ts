import { findAgent, isAgentRef } from "@/lib/agents";
import type { ApiKeyAuth } from "@/lib/auth";
import { ApiError } from "@/lib/errors";
import { keyAllowsAgent } from "@/lib/keys";

/** A `project_id` in a request or query must be the key's own organisation. */
export function assertOwnProject(auth: ApiKeyAuth, projectId: string | null | undefined): void {
  if (projectId && projectId !== auth.key.orgId) {
    throw new ApiError("FORBIDDEN", "project_id does not match this API key's project");
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
    throw new ApiError("FORBIDDEN", "This API key is not allowed to use this agent");
  }
}
