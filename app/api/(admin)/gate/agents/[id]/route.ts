import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { getGateAgent, serializeGateAgent, updateGateAgent, updateGateAgentRequest } from "@/lib/gate/agents";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const GET = apiRoute<{ id: string }>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  return Response.json(serializeGateAgent(await getGateAgent(await getDb(), user.orgId, id)));
});

/** Settings, and `status`: pause (403 until resumed) or revoke (final). */
export const PUT = apiRoute<{ id: string }>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(updateGateAgentRequest, await readJsonBody(request));
  return Response.json(serializeGateAgent(await updateGateAgent(await getDb(), user.orgId, id, body)));
});
