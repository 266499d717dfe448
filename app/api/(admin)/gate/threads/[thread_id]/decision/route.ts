import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { reviewerDecisionRequest, reviewThread } from "@/lib/gate/service";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";

/** approve | reject (final) or escalate, with a message for the agent. */
export const POST = apiRoute<{ thread_id: string }>(async (request, context, { thread_id }) => {
  const user = await authenticateUser(request, context);
  const body = parseInput(reviewerDecisionRequest, await readJsonBody(request));
  return Response.json(await reviewThread(await getDb(), user.orgId, user.userId, thread_id, body));
});
