import { createGateAgent, gateAgentSettings, listGateAgents, serializeGateAgent } from "@/lib/gate/agents";
import { ANY_MEMBER, OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods({
  GET: admin.route({ roles: ANY_MEMBER }, async ({ auth: user, db }) => ({
    data: (await listGateAgents(db, user.orgId)).map(serializeGateAgent),
  })),

  /** Registers a gate agent; its `sg_` key and webhook secret are shown only in this response. */
  POST: admin.route({ roles: OWNERS_AND_ADMINS, body: gateAgentSettings }, async ({ auth: user, body, db }) => {
    const { agent, key, webhookSecret } = await createGateAgent(db, user.orgId, body);
    return Response.json({ ...serializeGateAgent(agent), key, webhook_secret: webhookSecret }, { status: 201 });
  }),
});
