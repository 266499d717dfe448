import { createActor, serializeActor } from "@/lib/agents/actors";
import { authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { createActorRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const POST = apiRoute<{ agent_id: string }>(async (request, context, { agent_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(createActorRequest, await readJsonBody(request));
  const { actor, agentPublicId } = await createActor(await getDb(), auth.key.orgId, agent_id, body);
  return json(auth, serializeActor(actor, agentPublicId), 201);
}, renderAgentsApiError);
