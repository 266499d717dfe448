import { authenticateTaskCaller } from "@/lib/auth/task-gateway";
import { soisEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Sois's task gateway: a personal access token plus the caller's own API key (X-Api-Key).
 * Every request problem, including a well-formed one the gateway refuses, is a 422.
 */
export const taskGateway = defineSurface({
  prefixes: ["/api/agent"],
  renderError: soisEnvelope(["INVALID_JSON", "VALIDATION_FAILED", "BAD_REQUEST"]),
  authenticate: authenticateTaskCaller,
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});
