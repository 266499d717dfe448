import { authenticateProject, json, renderAgentsApiError } from "@/lib/agents-api/http";
import { getTrace } from "@/lib/generations/traces";
import { apiRoute } from "@/lib/http";

export const GET = apiRoute<{ trace_id: string }>(async (request, context, { trace_id }) => {
  const auth = await authenticateProject(request, context, { manage: true });
  return json(auth, await getTrace(auth.key.orgId, trace_id));
}, renderAgentsApiError);
