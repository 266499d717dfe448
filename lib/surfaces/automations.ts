import { config } from "@/lib/config";
import { enforceIngressLimit } from "@/lib/ratelimit";
import { conduitEnvelope } from "./envelopes";
import { defineSurface } from "./surface";

/**
 * Automation webhook triggers (`/api/webhooks/automations/{trigger}`): no Conduit key; the route
 * checks the trigger's bearer secret or Standard Webhooks signature itself. Limits count per
 * address and trigger here, and per trigger from every address in the route.
 */
export const automationTriggers = defineSurface({
  prefixes: ["/api/webhooks/automations"],
  renderError: conduitEnvelope,
  authenticate: async (request, context) => {
    await enforceIngressLimit(new URL(request.url).pathname, context.ip, config().AUTOMATION_TRIGGER_PER_IP_PER_MINUTE);
    return { ip: context.ip };
  },
});
