import { knowledgeScopeOfKey, listDocuments, readDocumentUpload, saveDocument, serializeDocument } from "@/lib/knowledge";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({}, async ({ auth, db }) =>
    (await listDocuments(db, auth.key.orgId, await knowledgeScopeOfKey(db, auth.key))).map(serializeDocument),
  ),

  // The body is read here, not by the surface: documents are larger than JSON bodies, and may be multipart.
  POST: agentsApi.route({ manage: true }, async ({ auth, request, db }) => {
    const { document, created } = await saveDocument(db, auth.key.orgId, await readDocumentUpload(request), auth.key);
    return Response.json(serializeDocument(document), { status: created ? 201 : 200 });
  }),
});
