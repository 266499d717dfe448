import { authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { listTracesQuery } from "@/lib/agents-api/schemas";
import { listTraces } from "@/lib/generations/traces";
import { apiRoute, parseInput } from "@/lib/http";

export const GET = apiRoute(async (request, context) => {
  const auth = await authenticateProject(request, context, { manage: true });
  const query = parseInput(listTracesQuery, Object.fromEntries(new URL(request.url).searchParams), "query");
  const traces = await listTraces(auth.key.orgId, {
    agentId: query.agent_id,
    traceId: query.trace_id,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
    limit: query.limit,
  });
  return json(auth, traces);
}, renderAgentsApiError);
