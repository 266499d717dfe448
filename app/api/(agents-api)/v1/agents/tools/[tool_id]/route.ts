import { updateToolRequest } from "@/lib/agents-api/schemas";
import { agentsApi } from "@/lib/surfaces";
import { deleteTool, getTool, serializeTool, updateTool } from "@/lib/tools/store";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ tool_id: string }>({
  GET: agentsApi.route({ manage: true }, async ({ auth, params, db }) => serializeTool(await getTool(db, auth.key.orgId, params.tool_id))),

  PUT: agentsApi.route({ manage: true, body: updateToolRequest }, async ({ auth, body, params, db }) => {
    const tool = await updateTool(db, auth.key.orgId, params.tool_id, {
      name: body.name,
      type: body.type,
      description: body.description,
      parameters: body.parameters,
      execute: body.execute,
      mcp: body.mcp,
      a2a: body.a2a,
      actions: body.actions,
      presetParameters: body.preset_parameters,
      gated: body.gated,
    });
    return serializeTool(tool);
  }),

  DELETE: agentsApi.route({ manage: true }, async ({ auth, params, db }) => {
    await deleteTool(db, auth.key.orgId, params.tool_id);
    return new Response(null, { status: 204 });
  }),
});
