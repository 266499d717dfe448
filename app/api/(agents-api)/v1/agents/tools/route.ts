import { assertOwnProject, authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { createToolRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { createTool, listTools, serializeTool } from "@/lib/tools/store";

export const GET = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  assertOwnProject(auth, new URL(request.url).searchParams.get("project_id"));
  return json(auth, (await listTools(await getDb(), auth.key.orgId)).map(serializeTool));
}, renderAgentsApiError);

export const POST = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(createToolRequest, await readJsonBody(request));
  assertOwnProject(auth, body.project_id);
  const tool = await createTool(await getDb(), auth.key.orgId, {
    name: body.name,
    type: body.type ?? "http",
    description: body.description ?? null,
    parameters: body.parameters ?? null,
    execute: body.execute ?? null,
    mcp: body.mcp ?? null,
    actions: body.actions ?? null,
    presetParameters: body.preset_parameters ?? null,
    gated: body.gated ?? false,
  });
  return json(auth, serializeTool(tool), 201);
}, renderAgentsApiError);
