import { deleteDocument, getDocument, knowledgeScopeOfKey, serializeDocumentDetail } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ document_id: string }>({
  GET: agentsApi.route({}, async ({ auth, params, db }) =>
    serializeDocumentDetail(await getDocument(db, auth.key.orgId, params.document_id, await knowledgeScopeOfKey(db, auth.key))),
  ),

  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteDocument(db, auth.key.orgId, params.document_id);
    return new Response(null, { status: 204 });
  }),
});
