import { SearchMemoriesRequest } from "@/lib/agents-api/schemas";
import { knowledgeScopeOfKey, searchMemories, searchResponse } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  POST: agentsApi.route({ body: SearchMemoriesRequest }, async ({ auth, body, db }) =>
    searchResponse(await searchMemories(db, auth.key.orgId, body, await knowledgeScopeOfKey(db, auth.key), auth.key)),
  ),
});
