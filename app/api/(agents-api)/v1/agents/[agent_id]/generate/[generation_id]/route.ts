import { agentScopeCheck } from "@/lib/doors/scope";
import { getGeneration, serializeGeneration } from "@/lib/generations";
import { agentsApi } from "@/lib/surfaces";

/** Conduit extension: a generation's current state, e.g. after a paused run resumed on its own. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ agent_id: string; generation_id: string }>({
  GET: agentsApi.route({}, async ({ auth, params }) => {
    await agentScopeCheck(auth, params.agent_id);
    return serializeGeneration(await getGeneration(params.agent_id, params.generation_id, auth));
  }),
});
