import { GateEventRequest, logEvent } from "@/lib/gate";
import { gateAgent } from "@/lib/surfaces";

/** Logs a task event into the reviewer timeline (revision events revise a pending request). */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = gateAgent.methods<{ taskID: string }>({
  POST: gateAgent.route({ body: GateEventRequest }, async ({ auth, body, params, db }) => {
    await logEvent(db, auth.agent, params.taskID, body);
    return new Response(null, { status: 201 });
  }),
});
