import { authenticateUser } from "@/lib/auth/user-tokens";
import { soisEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Administration with a personal access token: API keys (defined by Sois), personal access
 * tokens, automations and their runs, channel connections, event webhook endpoints, gate agents,
 * tools and review threads, organisation settings. One envelope for all of it, Sois's: a body or
 * query that is not JSON or fails its schema is 422 VALIDATION_ERROR;
 * every other error keeps its own status and code (e.g. 400 BAD_REQUEST for a gate rule that
 * cannot be compiled).
 */
export const admin = defineSurface({
  prefixes: [
    "/api/api-keys",
    "/api/automations",
    "/api/automation-runs",
    "/api/channels",
    "/api/gate",
    "/api/organisation",
    "/api/personal-tokens",
    "/api/webhook-deliveries",
    "/api/webhook-endpoints",
    "/api/widget-keys",
  ],
  renderError: soisEnvelope(["INVALID_JSON", "VALIDATION_FAILED"]),
  authenticate: authenticateUser,
});
