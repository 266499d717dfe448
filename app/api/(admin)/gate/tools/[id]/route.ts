import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { getGateTool, serializeGateTool, updateGateTool, updateGateToolRequest } from "@/lib/gate/tools";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const GET = apiRoute<{ id: string }>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  const db = await getDb();
  return Response.json(await serializeGateTool(db, await getGateTool(db, user.orgId, id)));
});

export const PUT = apiRoute<{ id: string }>(async (request, context, { id }) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(updateGateToolRequest, await readJsonBody(request));
  const db = await getDb();
  return Response.json(await serializeGateTool(db, await updateGateTool(db, user.orgId, id, body)));
});
