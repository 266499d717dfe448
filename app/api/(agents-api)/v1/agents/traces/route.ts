import { listTracesQuery } from "@/lib/agents-api/schemas";
import { listTraces } from "@/lib/generations/traces";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods({
  GET: agentsApi.route({ manage: true, query: listTracesQuery }, async ({ auth, query }) =>
    listTraces(auth.key.orgId, {
      agentId: query.agent_id,
      traceId: query.trace_id,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      limit: query.limit,
    }),
  ),
});
