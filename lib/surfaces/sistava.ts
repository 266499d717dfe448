import { authenticateApiKey } from "@/lib/auth";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/** Sistava's v1 chat and health, reached with an API key; its errors look like Conduit's. */
export const sistava = defineSurface({
  prefixes: ["/api/v1"],
  renderError: conduitEnvelope,
  authenticate: authenticateApiKey,
  rateLimitHeaders: (auth) => auth.rateLimitHeaders,
});
