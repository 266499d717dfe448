import { updateAiProviderRequest } from "@/lib/agents-api/schemas";
import { deleteAiProvider, getAiProvider, serializeAiProvider, updateAiProvider } from "@/lib/agents/providers";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ provider_id: string }>({
  GET: agentsApi.route({ manage: true }, async ({ auth, params, db }) =>
    serializeAiProvider(await getAiProvider(db, auth.key.orgId, params.provider_id)),
  ),

  PUT: agentsApi.route({ manage: true, body: updateAiProviderRequest }, async ({ auth, body, params, db }) => {
    const provider = await updateAiProvider(db, auth.key.orgId, params.provider_id, {
      name: body.name,
      baseUrl: body.base_url,
      apiKey: body.api_key,
      defaultModel: body.default_model,
      embeddingModel: body.embedding_model,
    });
    return serializeAiProvider(provider);
  }),

  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteAiProvider(db, auth.key.orgId, params.provider_id);
    return new Response(null, { status: 204 });
  }),
});
