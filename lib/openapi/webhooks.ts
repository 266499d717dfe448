/**
 * The webhooks Conduit sends (OpenAPI 3.1 `webhooks`): requests Conduit makes to URLs its users
 * registered. Both are delivered at least once from the durable queue, with the same bytes on
 * every retry.
 */
import { schemaRef, type JsonSchema, type SchemaName } from "./components";
import { json, type PathItem } from "./operation";

const header = (name: string, description: string) => ({ name, in: "header", required: true, schema: { type: "string" }, description });

/** How Conduit treats the receiver's answer; every delivery goes through the same queue. */
const answers = (retries: string) => ({
  "2XX": { description: "Received" },
  "410": { description: "Gone: no more retries" },
  default: { description: `Retried with exponential backoff and jitter (honouring Retry-After), ${retries}` },
});

interface WebhookSpec {
  summary: string;
  description: string;
  headers: JsonSchema[];
  body: SchemaName;
  retries: string;
}

function webhook(operationId: string, spec: WebhookSpec): PathItem {
  return {
    post: {
      summary: spec.summary,
      description: spec.description,
      operationId,
      // Receivers authenticate Conduit by the signature headers, not by a credential Conduit holds.
      security: [],
      parameters: spec.headers,
      requestBody: { required: true, content: json(schemaRef(spec.body)) },
      responses: answers(spec.retries),
    },
  };
}

export const webhooks: Record<string, PathItem> = {
  taskReply: webhook("taskReplyWebhook", {
    summary: "A task ended",
    description:
      "POSTed to the `response_url` of the API key that submitted the task (`POST /api/agent`), once the task is resolved or has failed.",
    headers: [
      header("X-Signature", "Hex HMAC-SHA256 of the raw body under the key's signing secret"),
      header("X-Conversation-UUID", "The task's id"),
      header("X-Webhook-Id", "The same on every retry of one delivery: drop ids already seen"),
    ],
    body: "TaskReplyWebhook",
    retries: "up to WEBHOOK_MAX_ATTEMPTS attempts in all",
  }),
  gateDecision: webhook("gateDecisionWebhook", {
    summary: "A review thread was decided",
    description:
      "POSTed to the gate agent's `webhook_url` on every final decision (approved or rejected), by a reviewer or by the rules on a revision. Signed the Standard Webhooks way.",
    headers: [
      header("webhook-id", "`msg_…`, the same on every retry of one delivery"),
      header("webhook-timestamp", "Unix seconds when the delivery was queued"),
      header("webhook-signature", "`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the `whsec_…` secret"),
    ],
    body: "GateDecisionWebhook",
    retries: "up to 3 times after the first attempt",
  }),
};
