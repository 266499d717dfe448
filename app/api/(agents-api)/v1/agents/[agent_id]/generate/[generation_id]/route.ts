import { agentScopeCheck, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { getGeneration, serializeGeneration } from "@/lib/generations/engine";
import { apiRoute } from "@/lib/http";

/** Conduit extension: a generation's current state, e.g. after a paused run resumed on its own. */
export const GET = apiRoute<{ agent_id: string; generation_id: string }>(async (request, context, params) => {
  const auth = await authenticateProject(request, context);
  await agentScopeCheck(auth, params.agent_id);
  return json(auth, serializeGeneration(await getGeneration(params.agent_id, params.generation_id, auth)));
}, renderAgentsApiError);
