import { getGateAgent, serializeGateAgent, updateGateAgent, updateGateAgentRequest } from "@/lib/gate/agents";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, params, db }) =>
    serializeGateAgent(await getGateAgent(db, user.orgId, params.id)),
  ),

  /** Settings, and `status`: pause (403 until resumed) or revoke (final). */
  PUT: admin.route({ roles: OWNERS_AND_ADMINS, body: updateGateAgentRequest }, async ({ auth: user, body, params, db }) =>
    serializeGateAgent(await updateGateAgent(db, user.orgId, params.id, body)),
  ),
});
