import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { regenerateGateKey, serializeGateAgent } from "@/lib/gate/agents";
import { apiRoute } from "@/lib/http";

/** A new `sg_` key (shown once); the old one stops working. */
export const POST = apiRoute<{ id: string }>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  const { agent, key } = await regenerateGateKey(await getDb(), user.orgId, id);
  return Response.json({ ...serializeGateAgent(agent), key });
});
