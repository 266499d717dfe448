import { authenticateApiKey } from "@/lib/auth";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Conduit's own dialect (FlexyAgents-style agent chat, liveness, the API description), reached
 * with an API key. It owns every `/api` path no other dialect claims.
 */
export const conduit = defineSurface({
  prefixes: ["/api"],
  renderError: conduitEnvelope,
  authenticate: authenticateApiKey,
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});
