import { deleteAgent, getAgentView, serializeAgent, updateAgentFromApi } from "@/lib/agents/manage";
import { updateAgentRequest } from "@/lib/agents-api/schemas";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ agent_id: string }>({
  GET: agentsApi.route({ manage: true }, async ({ auth, params, db }) =>
    serializeAgent(await getAgentView(db, auth.key.orgId, params.agent_id)),
  ),

  PUT: agentsApi.route({ manage: true, body: updateAgentRequest }, async ({ auth, body, params, db }) =>
    serializeAgent(await updateAgentFromApi(db, auth.key.orgId, params.agent_id, body)),
  ),

  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteAgent(db, auth.key.orgId, params.agent_id);
    return new Response(null, { status: 204 });
  }),
});
