import { z } from "zod";
import { handleA2aRequest } from "@/lib/a2a";
import { a2a } from "@/lib/surfaces";

/** An agent's A2A endpoint: JSON-RPC requests in, a JSON answer or an SSE stream (message/stream) out. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = a2a.methods<{ agentId: string }>({
  POST: a2a.route({ body: z.unknown() }, async ({ auth, body, params, request, db, context }) =>
    handleA2aRequest({ auth, body, agentPublicId: params.agentId, request, db, context }),
  ),
});
