import { deleteMemoryEntry, getMemory } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ memory_id: string; entry_id: string }>({
  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteMemoryEntry(db, await getMemory(db, auth.key.orgId, params.memory_id, null), params.entry_id);
    return new Response(null, { status: 204 });
  }),
});
