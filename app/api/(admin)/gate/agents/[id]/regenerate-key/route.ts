import { regenerateGateKey, serializeGateAgent } from "@/lib/gate/agents";
import { OWNERS_AND_ADMINS, admin } from "@/lib/surfaces";

/** A new `sg_` key (shown once); the old one stops working. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ id: string }>({
  POST: admin.route({ roles: OWNERS_AND_ADMINS }, async ({ auth: user, params, db }) => {
    const { agent, key } = await regenerateGateKey(db, user.orgId, params.id);
    return { ...serializeGateAgent(agent), key };
  }),
});
