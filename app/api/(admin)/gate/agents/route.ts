import { desc, eq } from "drizzle-orm";
import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb, tables } from "@/lib/db";
import { createGateAgent, gateAgentSettings, serializeGateAgent } from "@/lib/gate/agents";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const GET = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const db = await getDb();
  const agents = await db
    .select()
    .from(tables.gateAgents)
    .where(eq(tables.gateAgents.orgId, user.orgId))
    .orderBy(desc(tables.gateAgents.createdAt));
  return Response.json({ data: agents.map(serializeGateAgent) });
});

/** Registers a gate agent; its `sg_` key and webhook secret are shown only in this response. */
export const POST = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(gateAgentSettings, await readJsonBody(request));
  const { agent, key, webhookSecret } = await createGateAgent(await getDb(), user.orgId, body);
  return Response.json({ ...serializeGateAgent(agent), key, webhook_secret: webhookSecret }, { status: 201 });
});
