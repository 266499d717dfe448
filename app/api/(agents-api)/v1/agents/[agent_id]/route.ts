import { deleteAgent, getAgentView, serializeAgent, updateAgentFromApi } from "@/lib/agents/manage";
import { authenticateProject, json, noContent, renderAgentsApiError } from "@/lib/agents-api/http";
import { updateAgentRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

type Params = { agent_id: string };

export const GET = apiRoute<Params>(async (request, context, { agent_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  return json(auth, serializeAgent(await getAgentView(await getDb(), auth.key.orgId, agent_id)));
}, renderAgentsApiError);

export const PUT = apiRoute<Params>(async (request, context, { agent_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(updateAgentRequest, await readJsonBody(request));
  return json(auth, serializeAgent(await updateAgentFromApi(await getDb(), auth.key.orgId, agent_id, body)));
}, renderAgentsApiError);

export const DELETE = apiRoute<Params>(async (request, context, { agent_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  await deleteAgent(await getDb(), auth.key.orgId, agent_id);
  return noContent(auth);
}, renderAgentsApiError);
