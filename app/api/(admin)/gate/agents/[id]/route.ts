import { getGateAgent, serializeGateAgent, updateGateAgent, updateGateAgentRequest } from "@/lib/gate/agents";
import { admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  GET: admin.route({}, async ({ auth: user, params, db }) => serializeGateAgent(await getGateAgent(db, user.orgId, params.id))),

  /** Settings, and `status`: pause (403 until resumed) or revoke (final). */
  PUT: admin.route({ body: updateGateAgentRequest }, async ({ auth: user, body, params, db }) =>
    serializeGateAgent(await updateGateAgent(db, user.orgId, params.id, body)),
  ),
});
