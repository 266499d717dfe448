import { SearchDocumentsRequest } from "@/lib/agents-api/schemas";
import { knowledgeScopeOfKey, searchDocuments, serializePassage } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  POST: agentsApi.route({ body: SearchDocumentsRequest }, async ({ auth, body, db }) =>
    (await searchDocuments(db, auth.key.orgId, body, await knowledgeScopeOfKey(db, auth.key))).map(serializePassage),
  ),
});
