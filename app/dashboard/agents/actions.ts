"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { agentBodyOf } from "@/lib/agents/forms";
import { createAgentFromApi, deleteAgent, getAgentRow, updateAgentFromApi } from "@/lib/agents/manage";
import { ANY_MEMBER, OWNERS_AND_ADMINS } from "@/lib/auth/user-tokens";
import type { ActionState } from "@/lib/forms";
import { createManagedKey, revokeManagedKey } from "@/lib/keys/manage";
import { memberAction } from "@/lib/session/actions";
import {
  CreateAgentFormRequest,
  DeleteAgentRequest,
  DeploymentKeyRequest,
  RevokeDeploymentKeyRequest,
  UpdateAgentFormRequest,
  type CreatedKey,
} from "./schemas";

/*
 * Agents are managed by owners and admins, as on the Agents API (which needs an unrestricted key,
 * and only they mint keys); every member may view and try them. The work is the API's own services.
 */

const create = memberAction({ roles: OWNERS_AND_ADMINS, schema: CreateAgentFormRequest }, async ({ member, db, input }) => {
  const created = await createAgentFromApi(db, member.orgId, agentBodyOf(input));
  return created.agent.id;
});

export async function createAgentAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await create(previous, form);
  if (state.ok && state.result) {
    revalidatePath("/dashboard/agents");
    redirect(`/dashboard/agents/${state.result}`);
  }
  return state;
}

const update = memberAction({ roles: OWNERS_AND_ADMINS, schema: UpdateAgentFormRequest }, async ({ member, db, input }) => {
  const updated = await updateAgentFromApi(db, member.orgId, input.agent_id, agentBodyOf(input));
  revalidatePath(`/dashboard/agents/${updated.agent.id}`, "layout");
  return updated.agent.id;
});

export async function updateAgentAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return update(previous, form);
}

const remove = memberAction({ roles: OWNERS_AND_ADMINS, schema: DeleteAgentRequest }, async ({ member, db, input }) => {
  await deleteAgent(db, member.orgId, input.agent_id);
  return input.agent_id;
});

export async function deleteAgentAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  const state = await remove(previous, form);
  if (state.ok) {
    revalidatePath("/dashboard/agents");
    redirect("/dashboard/agents");
  }
  return state;
}

/** A connection key: the API's own key creation, limited to this agent; its secrets are in this answer only. */
const mintKey = memberAction({ roles: OWNERS_AND_ADMINS, schema: DeploymentKeyRequest }, async ({ member, db, input }) => {
  const agent = await getAgentRow(db, member.orgId, input.agent_id);
  const { secret, signingSecret, record } = await createManagedKey(db, member, { label: input.label, agent_ids: [agent.id] });
  revalidatePath(`/dashboard/agents/${agent.id}/deployments`);
  return { secret, signingSecret, id: record.publicId };
});

export async function createDeploymentKeyAction(previous: ActionState<CreatedKey>, form: FormData): Promise<ActionState<CreatedKey>> {
  return mintKey(previous, form);
}

/** As on the API, every member may revoke their own keys (a colleague's key is refused). */
const revokeKey = memberAction({ roles: ANY_MEMBER, schema: RevokeDeploymentKeyRequest }, async ({ member, db, input }) => {
  await revokeManagedKey(db, member, input.key_id);
  revalidatePath(`/dashboard/agents/${input.agent_id}/deployments`);
  return input.key_id;
});

export async function revokeDeploymentKeyAction(previous: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return revokeKey(previous, form);
}
