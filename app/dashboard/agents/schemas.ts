import { z } from "zod";
import { AgentFormRequest } from "@/lib/agents/forms";

/** The agents pages' forms: checked in the browser and again by their server actions. */

const agentId = z.string({ error: "The agent is missing" }).min(1, "The agent is missing").max(64);

export const CreateAgentFormRequest = AgentFormRequest;
export const UpdateAgentFormRequest = AgentFormRequest.extend({ agent_id: agentId });
export const DeleteAgentRequest = z.object({
  agent_id: agentId,
  confirm: z.literal("yes", { error: "Tick the box to confirm" }),
});

export const DeploymentKeyRequest = z.object({
  agent_id: agentId,
  label: z.string().trim().min(1, "Name the key, e.g. where it will be used").max(200, "Use at most 200 characters"),
});

export const RevokeDeploymentKeyRequest = z.object({ agent_id: agentId, key_id: z.string().min(1).max(64) });

/** What creating a connection key answers, once: the key and the signing secret of its webhooks. */
export interface CreatedKey {
  id: string;
  secret: string;
  signingSecret: string;
}
