import { createAgentFromApi, listAgentViews, serializeAgent } from "@/lib/agents/manage";
import { createAgentRequest, listByProjectQuery } from "@/lib/agents-api/schemas";
import { assertOwnProject } from "@/lib/doors/scope";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({ manage: true, query: listByProjectQuery }, async ({ auth, query, db }) => {
    assertOwnProject(auth, query.project_id);
    return (await listAgentViews(db, auth.key.orgId)).map(serializeAgent);
  }),

  POST: agentsApi.route({ manage: true, body: createAgentRequest }, async ({ auth, body, db }) => {
    assertOwnProject(auth, body.project_id);
    return Response.json(serializeAgent(await createAgentFromApi(db, auth.key.orgId, body)), { status: 201 });
  }),
});
