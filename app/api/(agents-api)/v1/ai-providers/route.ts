import { createAiProviderRequest } from "@/lib/agents-api/schemas";
import { assertOwnProject } from "@/lib/doors/scope";
import { createAiProvider, listAiProviders, serializeAiProvider } from "@/lib/agents/providers";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({ manage: true }, async ({ auth, db }) => (await listAiProviders(db, auth.key.orgId)).map(serializeAiProvider)),

  POST: agentsApi.route({ manage: true, body: createAiProviderRequest }, async ({ auth, body, db }) => {
    assertOwnProject(auth, body.project_id);
    const provider = await createAiProvider(db, {
      orgId: auth.key.orgId,
      name: body.name,
      type: body.type,
      baseUrl: body.base_url,
      apiKey: body.api_key,
      defaultModel: body.default_model,
      embeddingModel: body.embedding_model,
    });
    return Response.json(serializeAiProvider(provider), { status: 201 });
  }),
});
