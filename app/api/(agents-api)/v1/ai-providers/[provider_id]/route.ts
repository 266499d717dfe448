import { authenticateProject, json, noContent, renderAgentsApiError } from "@/lib/agents-api/http";
import { updateAiProviderRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { deleteAiProvider, getAiProvider, serializeAiProvider, updateAiProvider } from "@/lib/llm";

type Params = { provider_id: string };

export const GET = apiRoute<Params>(async (request, context, { provider_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  return json(auth, serializeAiProvider(await getAiProvider(await getDb(), auth.key.orgId, provider_id)));
}, renderAgentsApiError);

export const PUT = apiRoute<Params>(async (request, context, { provider_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(updateAiProviderRequest, await readJsonBody(request));
  const provider = await updateAiProvider(await getDb(), auth.key.orgId, provider_id, {
    name: body.name,
    baseUrl: body.base_url,
    apiKey: body.api_key,
    defaultModel: body.default_model,
  });
  return json(auth, serializeAiProvider(provider));
}, renderAgentsApiError);

export const DELETE = apiRoute<Params>(async (request, context, { provider_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  await deleteAiProvider(await getDb(), auth.key.orgId, provider_id);
  return noContent(auth);
}, renderAgentsApiError);
