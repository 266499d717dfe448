import { authenticateTaskCaller, renderTaskGatewayError } from "@/lib/auth/task-gateway";
import { apiRoute } from "@/lib/http";
import { getTask, serializeTask } from "@/lib/tasks";

/** Polls a task: its turns, webhook delivery and timestamps; expired tasks are gone (404). */
export const GET = apiRoute<{ conversation_uuid: string }>(async (request, context, { conversation_uuid }) => {
  const caller = await authenticateTaskCaller(request, context);
  const task = await getTask(caller, conversation_uuid);
  return Response.json(await serializeTask(task), { headers: caller.rateLimitHeaders });
}, renderTaskGatewayError);
