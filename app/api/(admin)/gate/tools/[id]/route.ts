import { getGateTool, serializeGateTool, updateGateTool, updateGateToolRequest } from "@/lib/gate/tools";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeGateTool(db, await getGateTool(db, user.orgId, params.id)),
  ),

  PUT: admin.route({ roles: OWNERS_AND_ADMINS, body: updateGateToolRequest }, async ({ auth: user, body, params, db }) =>
    serializeGateTool(db, await updateGateTool(db, user.orgId, params.id, body)),
  ),
});
