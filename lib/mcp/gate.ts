import type { z } from "zod";
import type { GateCaller } from "@/lib/auth/gate-agent";
import type { Db } from "@/lib/db";
import { GateDecisionRequest, requestDecision } from "@/lib/gate";
import { taskIdField } from "@/lib/gate/threads";
import { toolResult } from "./results";

export const RequestApprovalInput = GateDecisionRequest.extend({
  task_id: taskIdField.describe("Your own id for the task this action belongs to (the gate's `{taskID}`)"),
});

/** The gate's `POST /api/agent/tasks/{taskID}/requests` for the gate agent whose `sg_` key called. */
export async function requestApproval(db: Db, caller: GateCaller, input: z.output<typeof RequestApprovalInput>) {
  const { task_id: taskId, ...request } = input;
  const decision = await requestDecision(db, caller.agent, taskId, request);
  const text =
    decision.status === "pending_review"
      ? `Pending review in thread ${decision.thread_id}: ${decision.message} Poll GET /api/agent/decisions?thread_id=${decision.thread_id} for the decision, every ${decision.recommended_poll_after_seconds} s.`
      : `${decision.status === "allow" ? "Allowed" : "Rejected"}: ${decision.message}`;
  return toolResult(text, { ...decision });
}
