import { getDb } from "@/lib/db";
import { authenticateGateAgent, renderGateError } from "@/lib/gate/http";
import { pollDecision } from "@/lib/gate/service";
import { apiRoute } from "@/lib/http";

/** Polls by thread_id (preferred) or task_id. */
export const GET = apiRoute(async (request, context) => {
  const agent = await authenticateGateAgent(request, context, { polling: true });
  const query = new URL(request.url).searchParams;
  const decision = await pollDecision(await getDb(), agent, {
    threadId: query.get("thread_id") ?? undefined,
    taskId: query.get("task_id") ?? undefined,
  });
  return Response.json(decision);
}, renderGateError);
