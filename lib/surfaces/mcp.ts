import { authenticateApiKey } from "@/lib/auth";
import { bearerToken } from "@/lib/auth/bearer";
import { authenticateGateAgent } from "@/lib/auth/gate-agent";
import { GATE_KEY_PREFIX } from "@/lib/gate/agents";
import type { McpIdentity } from "@/lib/mcp";
import { jsonRpcEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/** An API key or a gate agent's key, told apart by the gate's `sg_` prefix. */
export type McpCaller = McpIdentity;

/**
 * The MCP server (Streamable HTTP, JSON-RPC). Refusals before the MCP layer (a bad key, a rate
 * limit, a body that is not JSON) are JSON-RPC error objects with the matching HTTP status.
 */
export const mcp = defineSurface<McpCaller>({
  prefixes: ["/api/mcp"],
  renderError: jsonRpcEnvelope,
  authenticate: async (request, context) =>
    bearerToken(request)?.startsWith(GATE_KEY_PREFIX)
      ? { kind: "gate-agent", ...(await authenticateGateAgent(request, context)) }
      : { kind: "api-key", ...(await authenticateApiKey(request, context)) },
  rateLimitHeaders: (caller) => caller.rateLimitHeaders,
  // JSON-RPC batches of tool calls are small; MCP's own transport allows 4 MB, Conduit's chat 64 KB.
  maxBodyBytes: 256 * 1024,
});
