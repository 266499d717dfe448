import { GateDecisionRequest, requestDecision } from "@/lib/gate";
import { gateAgent } from "@/lib/surfaces";

/** Asks whether the agent may proceed: allow, reject, or pending_review with a thread. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = gateAgent.methods<{ taskID: string }>({
  POST: gateAgent.route({ body: GateDecisionRequest }, async ({ auth, body, params, db }) =>
    requestDecision(db, auth.agent, params.taskID, body),
  ),
});
