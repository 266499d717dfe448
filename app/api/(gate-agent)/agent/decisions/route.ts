import { pollDecision, pollDecisionQuery } from "@/lib/gate";
import { gateAgent } from "@/lib/surfaces";

/** Polls by thread_id (preferred) or task_id. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = gateAgent.methods({
  GET: gateAgent.route({ polling: true, query: pollDecisionQuery }, async ({ auth, query, db }) =>
    pollDecision(db, auth.agent, { threadId: query.thread_id, taskId: query.task_id }),
  ),
});
