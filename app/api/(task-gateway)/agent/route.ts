import { authenticateTaskCaller, renderTaskGatewayError } from "@/lib/auth/task-gateway";
import { apiRoute, parseInput, readJsonBody } from "@/lib/http";
import { submitTask, submitTaskRequest } from "@/lib/tasks";

/** A plain-English task: accepted at once (202), run by a worker, answered by webhook or polling. */
export const POST = apiRoute(async (request, context) => {
  const caller = await authenticateTaskCaller(request, context);
  const body = parseInput(submitTaskRequest, await readJsonBody(request));
  const task = await submitTask(caller, body);
  return Response.json(
    { conversation_uuid: task.id, status: "accepted", message: "Your request has been queued." },
    { status: 202, headers: caller.rateLimitHeaders },
  );
}, renderTaskGatewayError);
