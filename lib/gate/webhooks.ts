import { createHmac, randomUUID } from "node:crypto";
import { decryptSecret } from "@/lib/crypto";
import type { Db, GateAgent, GateThread } from "@/lib/db";
import { queueWebhook } from "@/lib/webhooks";
import type { GateDecisionWebhook } from "@/lib/contracts";

/** Gate decision webhooks are retried up to 3 times after the first attempt. */
const DECISION_WEBHOOK_ATTEMPTS = 4;

/** Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret. */
function standardWebhookHeaders(secret: string, body: string): Record<string, string> {
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` };
}

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
    headers: standardWebhookHeaders(decryptSecret(agent.webhookSecretCiphertext), body),
    maxAttempts: DECISION_WEBHOOK_ATTEMPTS,
  });
}
