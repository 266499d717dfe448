import { getTask, serializeTask } from "@/lib/tasks";
import { ANY_MEMBER, taskGateway } from "@/lib/surfaces";

/** Polls a task: its turns, webhook delivery and timestamps; expired tasks are gone (404). */
export const { GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE } = taskGateway.methods<{ conversation_uuid: string }>({
  GET: taskGateway.route({ roles: ANY_MEMBER }, async ({ auth, params }) => serializeTask(await getTask(auth, params.conversation_uuid))),
});
