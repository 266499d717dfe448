import { and, eq, inArray } from "drizzle-orm";
import { tables, type Db, type GateAction, type GateAgent, type GateThread } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs";
import { recordDecision } from "./history";
import { issueApprovalToken } from "./tokens";
import { queueDecisionWebhook } from "./webhooks";
import { publishEvent } from "@/lib/events";

/** Why the rules chose `action`, as the agent and reviewers read it. */
export function actionMessage(action: GateAction, matched: number): string {
  const by = matched > 0 ? "by rule" : "by the tool's default action";
  if (action === "allow") return `Allowed ${by}.`;
  if (action === "reject") return `Rejected ${by}.`;
  return action === "escalate" ? `Escalated for elevated review ${by}.` : `Sent for human review ${by}.`;
}

/**
 * Final decisions (by a reviewer or by the rules on a revision): stored, a one-time approval token
 * issued where the agent wants them, and the agent's webhook queued, all in one transaction.
 */
export async function decide(
  db: Db,
  agent: GateAgent,
  thread: GateThread,
  outcome: "approved" | "rejected",
  message: string,
  userId: string | null,
) {
  return db.transaction(async (tx) => {
    const [decided] = await tx
      .update(tables.gateThreads)
      .set({ status: outcome, decisionMessage: message, decidedAt: new Date(), decidedByUserId: userId, updatedAt: new Date() })
      .where(and(eq(tables.gateThreads.id, thread.id), inArray(tables.gateThreads.status, ["needs_review", "escalated"])))
      .returning();
    if (!decided) throw new ApiError("BAD_REQUEST", `Thread ${thread.publicId} is already ${thread.status}; its decision is final`);
    await recordDecision(tx, decided, { status: outcome, message, userId });
    if (outcome === "approved" && agent.signedTokensEnabled) {
      await issueApprovalToken(tx, { orgId: agent.orgId, threadId: decided.id, threadPublicId: decided.publicId, taskId: decided.taskId });
    }
    await queueDecisionWebhook(tx, agent, decided, outcome, message);
    await publishEvent(tx, {
      orgId: agent.orgId,
      type: "approval.decided",
      data: { thread_id: decided.publicId, gate_agent_id: agent.id, task_id: decided.taskId, decision: outcome, message },
    });
    // A Conduit generation paused on this thread resumes from the queue.
    if (decided.generationId) {
      await enqueueJob(tx, { kind: "generation.resume-after-review", payload: { generationId: decided.generationId } });
    }
    return decided;
  });
}
