import { ReviewerDecisionRequest, reviewThread } from "@/lib/gate";
import { ANY_ROLE, admin } from "@/lib/surfaces";

/** approve | reject (final) or escalate, with a message for the agent. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = admin.methods<{ thread_id: string }>({
  POST: admin.route({ roles: ANY_ROLE, body: ReviewerDecisionRequest }, async ({ auth: user, body, params, db }) =>
    reviewThread(db, user.orgId, user.userId, params.thread_id, body),
  ),
});
