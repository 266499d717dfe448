import { createGateTool, createGateToolRequest, listGateTools, serializeGateTool } from "@/lib/gate/tools";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => {
    const tools = await listGateTools(db, user.orgId);
    return { data: await Promise.all(tools.map((tool) => serializeGateTool(db, tool))) };
  }),

  /** Registers a tool with its default action and rules (regexes are validated here). */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: createGateToolRequest }, async ({ auth: user, body, db }) =>
    Response.json(await serializeGateTool(db, await createGateTool(db, user.orgId, body)), { status: 201 }),
  ),
});
