import { CreateMemoryEntryRequest } from "@/lib/agents-api/schemas";
import { addMemoryEntry, getMemory, knowledgeScopeOfKey, listMemoryEntries, serializeMemoryEntry } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ memory_id: string }>({
  GET: agentsApi.route({}, async ({ auth, params, db }) => {
    const memory = await getMemory(db, auth.key.orgId, params.memory_id, await knowledgeScopeOfKey(db, auth.key));
    return (await listMemoryEntries(db, memory)).map((entry) => serializeMemoryEntry(entry, memory));
  }),

  POST: agentsApi.route({ manage: true, body: CreateMemoryEntryRequest }, async ({ auth, body, params, db }) => {
    const memory = await getMemory(db, auth.key.orgId, params.memory_id, null);
    return Response.json(serializeMemoryEntry(await addMemoryEntry(db, memory, body, auth.key), memory), { status: 201 });
  }),
});
