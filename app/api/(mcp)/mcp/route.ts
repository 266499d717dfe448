import { z } from "zod";
import { handleMcpRequest } from "@/lib/mcp";
import { mcp } from "@/lib/surfaces";

/**
 * The MCP server (Streamable HTTP, stateless): JSON-RPC messages in, JSON or an SSE stream out.
 * GET (a standalone event stream) and DELETE (ending a session) are 405: there are no sessions.
 */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = mcp.methods({
  POST: mcp.route({ body: z.unknown() }, async ({ auth, body, request, db, context }) =>
    handleMcpRequest(request, body, auth, db, context),
  ),
});
