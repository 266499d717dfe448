import { deleteMemory, getMemory, knowledgeScopeOfKey, serializeMemory } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ memory_id: string }>({
  GET: agentsApi.route({}, async ({ auth, params, db }) =>
    serializeMemory(await getMemory(db, auth.key.orgId, params.memory_id, await knowledgeScopeOfKey(db, auth.key))),
  ),

  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteMemory(db, auth.key.orgId, params.memory_id);
    return new Response(null, { status: 204 });
  }),
});
