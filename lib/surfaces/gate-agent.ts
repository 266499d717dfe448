import { authenticateGateAgent, type GateCaller } from "@/lib/auth/gate-agent";
import { plainTextEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Stacksona's gate, as its agents call it with `sg_` keys: errors in plain text, bodies up to
 * 16 MB because events carry base64 images. `polling: true` routes refuse agents without polling.
 */
export const gateAgent = defineSurface<GateCaller, { polling?: boolean }>({
  prefixes: ["/api/agent/tasks", "/api/agent/decisions", "/api/agent/approvals"],
  renderError: plainTextEnvelope,
  authenticate: authenticateGateAgent,
  rateLimitHeaders: (caller) => caller.rateLimitHeaders,
  maxBodyBytes: 16 * 1024 * 1024,
});
