import { config } from "@/lib/config";
import { enforceIngressLimit } from "@/lib/ratelimit";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Vendors' callbacks (`/api/webhooks/{meta,twilio,email}/{connection}`): nobody holds a Conduit
 * key here; each route checks the vendor's signature over the raw body itself. Limits count per
 * address *and* connection: Meta and Twilio call every tenant from the same addresses, so one
 * organisation's traffic (or misconfigured secret) must never use up another's.
 */
export const channelCallbacks = defineSurface({
  prefixes: ["/api/webhooks"],
  renderError: conduitEnvelope,
  authenticate: async (request, context) => {
    await enforceIngressLimit(new URL(request.url).pathname, context.ip, config().CHANNEL_INGRESS_PER_IP_PER_MINUTE);
    return { ip: context.ip };
  },
});
