import { authenticateProject, json, noContent, renderAgentsApiError } from "@/lib/agents-api/http";
import { updateToolRequest } from "@/lib/agents-api/schemas";
import { getDb } from "@/lib/db";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { deleteTool, getTool, serializeTool, updateTool } from "@/lib/tools/store";

type Params = { tool_id: string };

export const GET = apiRoute<Params>(async (request, context, { tool_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  return json(auth, serializeTool(await getTool(await getDb(), auth.key.orgId, tool_id)));
}, renderAgentsApiError);

export const PUT = apiRoute<Params>(async (request, context, { tool_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const body = parseInput(updateToolRequest, await readJsonBody(request));
  const tool = await updateTool(await getDb(), auth.key.orgId, tool_id, {
    name: body.name,
    type: body.type,
    description: body.description,
    parameters: body.parameters,
    execute: body.execute,
    mcp: body.mcp,
    actions: body.actions,
    presetParameters: body.preset_parameters,
    gated: body.gated,
  });
  return json(auth, serializeTool(tool));
}, renderAgentsApiError);

export const DELETE = apiRoute<Params>(async (request, context, { tool_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  await deleteTool(await getDb(), auth.key.orgId, tool_id);
  return noContent(auth);
}, renderAgentsApiError);
