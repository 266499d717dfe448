import { getDb } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { foreignPageOrigin } from "@/lib/http";
import { anyKeyAllowsOrigin, verifyVisitorToken, type VisitorCaller } from "@/lib/widget";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * The website widget's own endpoints (`/api/embed/…`): a session is started with a publishable
 * key, then each message carries the visitor token the session returned. The widget's iframe
 * calls them from Conduit's origin; customers who build their own chat call them from their
 * pages, on the origins their widget keys allow (CORS).
 */
export const embed = defineSurface<VisitorCaller>({
  prefixes: ["/api/embed"],
  renderError: conduitEnvelope,
  authenticate: async (request) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) throw new ApiError("UNAUTHENTICATED", "Send the visitor token from POST /api/embed/session as a Bearer token");
    return { ...(await verifyVisitorToken(token)), pageOrigin: foreignPageOrigin(request) };
  },
  pagesAllowed: async (origin) => anyKeyAllowsOrigin(await getDb(), origin),
});
