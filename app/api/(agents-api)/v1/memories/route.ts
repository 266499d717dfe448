import { CreateMemoryRequest } from "@/lib/agents-api/schemas";
import { createMemory, knowledgeScopeOfKey, listMemories, serializeMemory } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({}, async ({ auth, db }) =>
    (await listMemories(db, auth.key.orgId, await knowledgeScopeOfKey(db, auth.key))).map(serializeMemory),
  ),

  POST: agentsApi.route({ manage: true, body: CreateMemoryRequest }, async ({ auth, body, db }) =>
    Response.json(serializeMemory(await createMemory(db, auth.key.orgId, body)), { status: 201 }),
  ),
});
