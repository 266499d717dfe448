import { ApiError } from "@/lib/errors";
import { verifyVisitorToken } from "@/lib/widget";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * The website widget's own endpoints (`/api/embed/…`), called from its iframe on Conduit's
 * origin: a session is started with a publishable key, then each message carries the visitor
 * token the session returned.
 */
export const embed = defineSurface({
  prefixes: ["/api/embed"],
  renderError: conduitEnvelope,
  authenticate: async (request) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new ApiError("UNAUTHENTICATED", "Send the visitor token from POST /api/embed/session as a Bearer token");
    return verifyVisitorToken(token);
  },
});
