/**
 * Every event an organisation's webhook endpoints can subscribe to: its name, what it means, the
 * schema of its `data` and a sample. The one list the API validates subscriptions against, the
 * publisher is typed by, and the OpenAPI document and the dashboard show.
 */
import { z } from "zod";
import { timestamp } from "./fields";

const usage = z.strictObject({ input_tokens: z.number().int(), output_tokens: z.number().int() });

const agentId = z
  .string()
  .regex(/^agt_[0-9A-Za-z]{16}$/)
  .meta({ description: "The agent's id (`agt_…`), as the Agents API shows it" });
const gateAgentId = z.string().meta({ description: "The gate agent's id, as the gate agents API shows it" });

const generation = {
  generation_id: z.string().meta({ description: "The run (`agt_gen_…`)" }),
  agent_id: agentId,
  conversation_id: z.string().nullable().meta({ description: "The conversation record the reply joined, when known" }),
  door: z.string().meta({ description: "How the run was started: chat, generate, task, channel, widget, …" }),
  model: z.string().nullable(),
  usage,
};

const ApprovalRequested = z.strictObject({
  thread_id: z.string().meta({ description: "The review thread (`THR-…`)" }),
  gate_agent_id: gateAgentId,
  task_id: z.string(),
  workflow_name: z.string(),
  task_label: z.string(),
  status: z.enum(["needs_review", "escalated"]).meta({ description: "escalated: the rules asked for an elevated review" }),
});

export const eventCatalogue = {
  "conversation.created": {
    description: "A conversation record was started (by a chat, a task, a channel contact or a widget visitor).",
    data: z.strictObject({ conversation_id: z.string(), agent_id: agentId, channel: z.string(), created_at: timestamp }),
    sample: {
      conversation_id: "0f8b8a0e-4c1a-4e9e-9a57-3c2f1f3b9d11",
      agent_id: "agt_7d1E5c2A0b9F4a63",
      channel: "chat",
      created_at: "2026-01-01T12:00:00.000Z",
    },
  },
  "message.created": {
    description: "A message was added to a conversation record: the user's prompt or the reply.",
    data: z.strictObject({
      message_id: z.string(),
      conversation_id: z.string(),
      agent_id: agentId,
      role: z.enum(["system", "user", "assistant"]),
      content: z.string(),
      status: z.enum(["completed", "failed", "aborted"]),
      created_at: timestamp,
    }),
    sample: {
      message_id: "4a1d2b3c-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
      conversation_id: "0f8b8a0e-4c1a-4e9e-9a57-3c2f1f3b9d11",
      agent_id: "agt_7d1E5c2A0b9F4a63",
      role: "assistant",
      content: "Your order ships tomorrow.",
      status: "completed",
      created_at: "2026-01-01T12:00:01.000Z",
    },
  },
  "generation.completed": {
    description: "An agent run finished with a reply.",
    data: z.strictObject({ ...generation, text: z.string().nullable() }),
    sample: {
      generation_id: "agt_gen_3kTq9Xw2LmNp7RsV",
      agent_id: "agt_7d1E5c2A0b9F4a63",
      conversation_id: "0f8b8a0e-4c1a-4e9e-9a57-3c2f1f3b9d11",
      door: "chat",
      model: "gpt-4o-mini",
      usage: { input_tokens: 52, output_tokens: 9 },
      text: "Your order ships tomorrow.",
    },
  },
  "generation.failed": {
    description: "An agent run ended in an error.",
    data: z.strictObject({ ...generation, error: z.string() }),
    sample: {
      generation_id: "agt_gen_8hYt2Qw5ZxCv1BnM",
      agent_id: "agt_7d1E5c2A0b9F4a63",
      conversation_id: null,
      door: "generate",
      model: "gpt-4o-mini",
      usage: { input_tokens: 0, output_tokens: 0 },
      error: "The model provider answered 503",
    },
  },
  "task.resolved": {
    description: "An async task of the task gateway was answered.",
    data: z.strictObject({ task_id: z.string().meta({ description: "The task's conversation_uuid" }), response: z.string() }),
    sample: { task_id: "5b2c7d1e-9f3a-4b6c-8d2e-1a0f9e8d7c6b", response: "Refund approved for order 1042." },
  },
  "task.failed": {
    description: "An async task of the task gateway failed.",
    data: z.strictObject({ task_id: z.string(), error: z.string() }),
    sample: { task_id: "5b2c7d1e-9f3a-4b6c-8d2e-1a0f9e8d7c6b", error: "The run failed after 3 attempts" },
  },
  "approval.requested": {
    description: "A gate agent asked for a decision and its rules called for a review: a review thread was opened.",
    data: ApprovalRequested,
    sample: {
      thread_id: "THR-7Q2K9X",
      gate_agent_id: "9c4e2a1b-7d3f-4e8a-b5c6-2f1e0d9c8b7a",
      task_id: "refund-1042",
      workflow_name: "refunds",
      task_label: "Refund 120 EUR to order 1042",
      status: "needs_review",
    },
  },
  "approval.decided": {
    description: "A review thread was decided, by a reviewer or by the rules.",
    data: z.strictObject({
      thread_id: z.string(),
      gate_agent_id: gateAgentId,
      task_id: z.string(),
      decision: z.enum(["approved", "rejected"]),
      message: z.string(),
    }),
    sample: {
      thread_id: "THR-7Q2K9X",
      gate_agent_id: "9c4e2a1b-7d3f-4e8a-b5c6-2f1e0d9c8b7a",
      task_id: "refund-1042",
      decision: "approved",
      message: "OK",
    },
  },
  "key.budget_exceeded": {
    description: "A request was refused because the API key's budget is spent.",
    data: z.strictObject({
      api_key_id: z.string().meta({ description: "`key_…`" }),
      budget_usd_cents: z.number().int(),
      budget_period: z.enum(["total", "daily", "monthly"]),
    }),
    sample: { api_key_id: "key_9fKq2Lw7XmZp3RtV", budget_usd_cents: 500, budget_period: "monthly" },
  },
  "plan.limit_reached": {
    description: "A request was refused because the organisation used its monthly messages or tokens.",
    data: z.strictObject({ limit: z.enum(["messages", "tokens"]), allowed: z.number().int(), message: z.string() }),
    sample: { limit: "messages", allowed: 1000, message: "This organisation has used its 1000 messages for this month" },
  },
  "channel.message.received": {
    description: "A message came in on a channel connection (WhatsApp, Messenger, Instagram, Twilio, email).",
    data: z.strictObject({
      channel_id: z.string().meta({ description: "`chn_…`" }),
      channel_type: z.string(),
      conversation_id: z.string(),
      from: z.string().meta({ description: "The sender's address on the channel" }),
      text: z.string(),
    }),
    sample: {
      channel_id: "chn_4hTq8Xw1LmNp2RsV",
      channel_type: "whatsapp",
      conversation_id: "0f8b8a0e-4c1a-4e9e-9a57-3c2f1f3b9d11",
      from: "+15551234567",
      text: "Where is my order?",
    },
  },
  "automation.run.completed": {
    description: "An automation run finished.",
    data: z.strictObject({ automation_id: z.string(), run_id: z.string(), started_at: timestamp, finished_at: timestamp }),
    sample: {
      automation_id: "aut_2mXq8Lw4ZpRt7KvN",
      run_id: "atr_6hYt3Qw9ZxCv2BnM",
      started_at: "2026-01-01T12:00:00.000Z",
      finished_at: "2026-01-01T12:00:04.000Z",
    },
  },
  "automation.run.failed": {
    description: "An automation run failed.",
    data: z.strictObject({ automation_id: z.string(), run_id: z.string(), error: z.string() }),
    sample: { automation_id: "aut_2mXq8Lw4ZpRt7KvN", run_id: "atr_6hYt3Qw9ZxCv2BnM", error: "Step 2 (HTTP request) answered 500" },
  },
  "webhook.test": {
    description: "Sent on request from the API or the dashboard, to check an endpoint; whatever it subscribes to.",
    data: z.strictObject({ endpoint_id: z.string(), message: z.string() }),
    sample: { endpoint_id: "whe_3kTq9Xw2LmNp7RsV", message: "A test event from Conduit" },
  },
  "webhook.endpoint.disabled": {
    description: "Conduit disabled one of the organisation's endpoints (it answered 410 Gone, or kept failing); sent to the others.",
    data: z.strictObject({ endpoint_id: z.string(), url: z.string(), reason: z.string(), disabled_at: timestamp }),
    sample: {
      endpoint_id: "whe_3kTq9Xw2LmNp7RsV",
      url: "https://example.com/hooks/conduit",
      reason: "5 deliveries in a row failed after every retry",
      disabled_at: "2026-01-02T08:00:00.000Z",
    },
  },
} as const satisfies Record<string, { description: string; data: z.ZodType; sample: unknown }>;

export type EventType = keyof typeof eventCatalogue;
export const EVENT_TYPES = Object.keys(eventCatalogue) as [EventType, ...EventType[]];
export type EventData<T extends EventType> = z.input<(typeof eventCatalogue)[T]["data"]>;

/** The body of every event delivery, serialised once and sent byte for byte on every attempt. */
export interface EventEnvelope<T extends EventType = EventType> {
  type: T;
  timestamp: string;
  data: EventData<T>;
}

export const isEventType = (value: string): value is EventType => Object.hasOwn(eventCatalogue, value);
