import { authenticateApiKey } from "@/lib/auth";
import { jsonRpcEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * The A2A server (Agent2Agent v0.3, JSON-RPC): a Conduit API key is the Bearer token, with the
 * same rate limits as Conduit's own API. Refusals before a message is read (a bad key, a rate
 * limit, an unknown agent, a body that is not JSON) are JSON-RPC error objects with the matching
 * HTTP status; refusals inside a method are JSON-RPC errors of HTTP 200.
 */
export const a2a = defineSurface({
  prefixes: ["/api/a2a"],
  renderError: jsonRpcEnvelope,
  authenticate: authenticateApiKey,
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});
