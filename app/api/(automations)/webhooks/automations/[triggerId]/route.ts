import { receiveTrigger } from "@/lib/automations";
import { automationTriggers } from "@/lib/surfaces";

export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = automationTriggers.methods<{ triggerId: string }>({
  /** Starts a run of the published automation with the JSON body as `trigger.body`. */
  POST: automationTriggers.route({}, async ({ params, request, db }) => receiveTrigger(db, params.triggerId, request)),
});
