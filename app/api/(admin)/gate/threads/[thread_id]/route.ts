import { authenticateUser } from "@/lib/auth/task-gateway";
import { getDb } from "@/lib/db";
import { openThread } from "@/lib/gate/service";
import { apiRoute } from "@/lib/http";

export const GET = apiRoute<{ thread_id: string }>(async (request, context, { thread_id }) => {
  const user = await authenticateUser(request, context);
  return Response.json(await openThread(await getDb(), user.orgId, thread_id));
});
