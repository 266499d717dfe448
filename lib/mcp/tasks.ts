import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { ANY_MEMBER } from "@/lib/auth/user-tokens";
import type { ApiKeyAuth } from "@/lib/auth";
import { tables, type Db } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { getTask, serializeTask, submitTask, submitTaskRequest, type TaskOwner } from "@/lib/tasks";
import { toolResult } from "./results";

export const CreateTaskInput = submitTaskRequest;
export const GetTaskInput = { conversation_uuid: z.string().describe("The id create_task returned") };

/**
 * Tasks belong to a member, as on the task gateway, where the member's token and key come
 * together. Here the key stands for the member who created it, who must still use agents in the
 * organisation (the gateway's role rule); a key nobody owns cannot hold tasks.
 */
async function taskOwner(db: Db, auth: ApiKeyAuth): Promise<TaskOwner> {
  const userId = auth.key.ownerUserId;
  if (!userId) throw new ApiError("FORBIDDEN", "Tasks belong to the member who created the key; this key was created without one");
  const [membership] = await db
    .select({ role: tables.memberships.role })
    .from(tables.memberships)
    .where(and(eq(tables.memberships.orgId, auth.key.orgId), eq(tables.memberships.userId, userId)))
    .limit(1);
  if (!membership || !(ANY_MEMBER as readonly string[]).includes(membership.role)) {
    throw new ApiError("FORBIDDEN", `Tasks need the key's member to have the role ${ANY_MEMBER.join(" or ")}`);
  }
  return { key: auth.key, user: { userId } };
}

/** The task gateway's `POST /api/agent`: validated, budget-checked and queued the same way. */
export async function createTask(db: Db, auth: ApiKeyAuth, input: z.output<typeof submitTaskRequest>) {
  const task = await submitTask(await taskOwner(db, auth), input);
  return toolResult(`Task ${task.id} accepted and queued. Poll it with get_task; its answer also goes to the key's reply webhook.`, {
    conversation_uuid: task.id,
    status: "accepted",
    message: "Your request has been queued.",
  });
}

/** The task gateway's `GET /api/agent/{conversation_uuid}`: the same task, turns and webhook delivery. */
export async function readTask(db: Db, auth: ApiKeyAuth, conversationUuid: string) {
  const task = await serializeTask(await getTask(await taskOwner(db, auth), conversationUuid));
  const reply = [...task.turns].reverse().find((turn) => turn.role === "agent");
  const content = reply && typeof reply.payload.content === "string" ? reply.payload.content : null;
  const text =
    task.status === "resolved" && content !== null
      ? `Task ${task.conversation_uuid} is resolved: ${content}`
      : `Task ${task.conversation_uuid} is ${task.status}.`;
  return toolResult(text, { ...task });
}
