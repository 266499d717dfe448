import { getTrace } from "@/lib/generations/traces";
import { agentsApi } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = agentsApi.methods<{ trace_id: string }>({
  GET: agentsApi.route({ manage: true }, async ({ auth, params }) => getTrace(auth.key.orgId, params.trace_id)),
});
