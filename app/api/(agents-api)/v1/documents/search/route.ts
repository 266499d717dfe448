import { SearchDocumentsRequest } from "@/lib/agents-api/schemas";
import { knowledgeScopeOfKey, searchDocuments, searchResponse } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  POST: agentsApi.route({ body: SearchDocumentsRequest }, async ({ auth, body, db }) =>
    searchResponse(await searchDocuments(db, auth.key.orgId, body, await knowledgeScopeOfKey(db, auth.key), auth.key)),
  ),
});
