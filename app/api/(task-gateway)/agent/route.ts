import { submitTask, submitTaskRequest } from "@/lib/tasks";
import { ANY_MEMBER, taskGateway } from "@/lib/surfaces";

/** A plain-English task: accepted at once (202), run by a worker, answered by webhook or polling. */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = taskGateway.methods({
  POST: taskGateway.route({ roles: ANY_MEMBER, body: submitTaskRequest }, async ({ auth, body }) => {
    const task = await submitTask(auth, body);
    return Response.json({ conversation_uuid: task.id, status: "accepted", message: "Your request has been queued." }, { status: 202 });
  }),
});
