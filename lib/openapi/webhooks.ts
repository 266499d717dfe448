/**
 * The webhooks Conduit sends (OpenAPI 3.1 `webhooks`): requests Conduit makes to URLs its users
 * registered: task replies, gate decisions and organisation events. All are delivered at least
 * once from the durable queue, with the same bytes on every retry.
 */
import { z } from "zod";
import { eventCatalogue, EVENT_TYPES } from "@/lib/contracts/event-catalogue";
import { schemaRef, toSchemaObject, type JsonSchema, type SchemaName } from "./components";
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
  /** A named component, or an inline schema (the events, whose envelopes are generated from the catalogue). */
  body: SchemaName | JsonSchema;
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
      requestBody: { required: true, content: json(typeof spec.body === "string" ? schemaRef(spec.body) : spec.body) },
      responses: answers(spec.retries),
    },
  };
}

const standardWebhookHeaders = [
  header("webhook-id", "`msg_…`, the same on every retry and resend of one delivery: drop ids already seen"),
  header("webhook-timestamp", "Unix seconds when this attempt was made"),
  header(
    "webhook-signature",
    "`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64-decoded part of the `whsec_…` secret; during a rotation two, space-separated",
  ),
];

/** One webhook per event type: `{type, timestamp, data}` with the type's data schema and sample. */
const eventWebhooks: Record<string, PathItem> = Object.fromEntries(
  EVENT_TYPES.map((type) => {
    const entry = eventCatalogue[type];
    const envelope = z.strictObject({ type: z.literal(type), timestamp: z.iso.datetime(), data: entry.data });
    const body = { ...toSchemaObject(envelope, "output"), examples: [{ type, timestamp: "2026-01-01T12:00:00.000Z", data: entry.sample }] };
    return [
      type,
      webhook(`${type.replace(/[._](\w)/g, (_, letter: string) => letter.toUpperCase())}Event`, {
        summary: `Event: ${type}`,
        description: `${entry.description} POSTed to each enabled endpoint of the organisation subscribed to \`${type}\`.`,
        headers: standardWebhookHeaders,
        body,
        retries: "after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (WEBHOOK_RETRY_SCHEDULE); 3xx counts as a failure",
      }),
    ];
  }),
);

export const webhooks: Record<string, PathItem> = {
  ...eventWebhooks,
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
      header("webhook-timestamp", "Unix seconds when this attempt was made"),
      header("webhook-signature", "`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the `whsec_…` secret"),
    ],
    body: "GateDecisionWebhook",
    retries: "up to 3 times after the first attempt",
  }),
};
