import { assertOwnProject, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { createAiProviderRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { createAiProvider, listAiProviders, serializeAiProvider } from "@/lib/llm";

export const GET = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const providers = await listAiProviders(await getDb(), auth.key.orgId);
  return json(auth, providers.map(serializeAiProvider));
}, renderAgentsApiError);

export const POST = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(createAiProviderRequest, await readJsonBody(request));
  assertOwnProject(auth, body.project_id);
  const provider = await createAiProvider(await getDb(), {
    orgId: auth.key.orgId,
    name: body.name,
    type: body.type,
    baseUrl: body.base_url,
    apiKey: body.api_key,
    defaultModel: body.default_model,
  });
  return json(auth, serializeAiProvider(provider), 201);
}, renderAgentsApiError);
