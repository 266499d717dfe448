import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { createGateTool, createGateToolRequest, listGateTools, serializeGateTool } from "@/lib/gate/tools";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

export const GET = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const db = await getDb();
  const tools = await listGateTools(db, user.orgId);
  return Response.json({ data: await Promise.all(tools.map((tool) => serializeGateTool(db, tool))) });
});

/** Registers a tool with its default action and rules (regexes are validated here). */
export const POST = apiRoute(async (request, context) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(createGateToolRequest, await readJsonBody(request));
  const db = await getDb();
  return Response.json(await serializeGateTool(db, await createGateTool(db, user.orgId, body)), { status: 201 });
});
