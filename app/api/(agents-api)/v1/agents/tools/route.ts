import { createToolRequest, listByProjectQuery } from "@/lib/agents-api/schemas";
import { assertOwnProject } from "@/lib/doors/scope";
import { agentsApi } from "@/lib/surfaces";
import { createTool, listTools, serializeTool } from "@/lib/tools/store";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({ manage: true, query: listByProjectQuery }, async ({ auth, query, db }) => {
    assertOwnProject(auth, query.project_id);
    return (await listTools(db, auth.key.orgId)).map(serializeTool);
  }),

  POST: agentsApi.route({ manage: true, body: createToolRequest }, async ({ auth, body, db }) => {
    assertOwnProject(auth, body.project_id);
    const tool = await createTool(db, auth.key.orgId, {
      name: body.name,
      type: body.type ?? "http",
      description: body.description ?? null,
      parameters: body.parameters ?? null,
      execute: body.execute ?? null,
      mcp: body.mcp ?? null,
      a2a: body.a2a ?? null,
      actions: body.actions ?? null,
      presetParameters: body.preset_parameters ?? null,
      gated: body.gated ?? false,
    });
    return Response.json(serializeTool(tool), { status: 201 });
  }),
});
