import { createActor, serializeActor } from "@/lib/agents/actors";
import { createActorRequest } from "@/lib/agents-api/schemas";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ agent_id: string }>({
  POST: agentsApi.route({ manage: true, body: createActorRequest }, async ({ auth, body, params, db }) => {
    const { actor, agentPublicId } = await createActor(db, auth.key.orgId, params.agent_id, body);
    return Response.json(serializeActor(actor, agentPublicId), { status: 201 });
  }),
});
