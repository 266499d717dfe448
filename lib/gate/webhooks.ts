import type { Db, GateAgent, GateThread } from "@/lib/db";
import { queueWebhook } from "@/lib/webhooks";
import type { GateDecisionWebhook } from "@/lib/contracts";

/** Gate decision webhooks are retried up to 3 times after the first attempt. */
const DECISION_WEBHOOK_ATTEMPTS = 4;

/** Queues the agent's decision webhook, if it has one, inside the deciding transaction. */
export async function queueDecisionWebhook(
  db: Db,
  agent: GateAgent,
  decided: GateThread,
  outcome: "approved" | "rejected",
  message: string,
): Promise<void> {
  if (!agent.webhookUrl || !agent.webhookSecretCiphertext) return;
  const payload: GateDecisionWebhook = {
    thread_id: decided.publicId,
    task_id: decided.taskId,
    decision: outcome,
    message,
    tenant_id: agent.orgId,
    workflow_name: decided.workflowName,
    task_label: decided.taskLabel,
  };
  const body = JSON.stringify(payload);
  await queueWebhook(db, {
    orgId: agent.orgId,
    subjectId: decided.id,
    url: agent.webhookUrl,
    body,
    headers: {},
    // Signed the Standard Webhooks way at each attempt, so a retry carries a fresh timestamp.
    signing: "standard",
    signingSecretCiphertext: agent.webhookSecretCiphertext,
    maxAttempts: DECISION_WEBHOOK_ATTEMPTS,
  });
}
