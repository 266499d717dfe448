import { createAgentFromApi, listAgentViews, serializeAgent } from "@/lib/agents/manage";
import { assertOwnProject, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { createAgentRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const GET = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  assertOwnProject(auth, new URL(request.url).searchParams.get("project_id"));
  const agents = await listAgentViews(await getDb(), auth.key.orgId);
  return json(auth, agents.map(serializeAgent));
}, renderAgentsApiError);

export const POST = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(createAgentRequest, await readJsonBody(request));
  assertOwnProject(auth, body.project_id);
  return json(auth, serializeAgent(await createAgentFromApi(await getDb(), auth.key.orgId, body)), 201);
}, renderAgentsApiError);
