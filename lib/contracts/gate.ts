/**
 * Response bodies and webhook payloads of the approval gate: the agent API (`/api/agent/tasks…`,
 * `/api/agent/decisions`, `/api/agent/approvals/validate`) and its administration (`/api/gate…`).
 */
import { z } from "zod";
import { jsonObject, timestamp } from "./fields";
import { gateActions, gateRuleTypes } from "./gate-values";

/** The gate agent API answers errors in plain text (the validate endpoint's token and input errors are JSON). */
export const GateErrorResponse = z.string().meta({ example: "Missing or invalid API key" });

export const GateAgentResponse = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  key_start: z.string().meta({ description: "The key's first characters, to recognise it" }),
  status: z.enum(["active", "paused", "revoked"]),
  api_enabled: z.boolean(),
  polling_enabled: z.boolean(),
  signed_tokens_enabled: z.boolean(),
  webhook_url: z.string().nullable(),
  agent_id: z.uuid().nullable().meta({ description: "The Conduit agent whose gated tools are reviewed through this gate agent" }),
  created_at: timestamp,
  updated_at: timestamp,
});
export type GateAgentResponse = z.input<typeof GateAgentResponse>;

export const GateAgentListResponse = z.strictObject({ data: z.array(GateAgentResponse) });

const gateKey = z.string().meta({ description: "The `sg_…` key, shown only here", example: "sg_…" });

export const CreateGateAgentResponse = GateAgentResponse.extend({
  key: gateKey,
  webhook_secret: z.string().meta({ description: "Signs decision webhooks (`whsec_…`), shown only here" }),
});

export const RegenerateGateKeyResponse = GateAgentResponse.extend({ key: gateKey });

const gateAction = z.enum(gateActions);

export const GateToolResponse = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  default_action: gateAction,
  rules: z.array(
    z.strictObject({
      id: z.uuid(),
      type: z.enum(gateRuleTypes),
      parameter: z.string(),
      value: z.union([z.number(), z.string()]).optional().meta({ description: "upper_limit, lower_limit: a number; contains: a string" }),
      min: z.number().optional().meta({ description: "between" }),
      max: z.number().optional().meta({ description: "between" }),
      pattern: z.string().optional().meta({ description: "regex" }),
      action: gateAction,
    }),
  ),
  created_at: timestamp,
});
export type GateToolResponse = z.input<typeof GateToolResponse>;

export const GateToolListResponse = z.strictObject({ data: z.array(GateToolResponse) });

const threadId = z.string().meta({ example: "THR-4F2A9C1B" });
const reviewStatus = z.enum(["needs_review", "escalated"]);
const pollAfter = z.number().int().meta({ description: "Seconds to wait before polling the decision" });

const ruleDecision = <S extends "allow" | "reject">(status: S) =>
  z.strictObject({ status: z.literal(status), task_id: z.string(), message: z.string(), recommended_poll_after_seconds: pollAfter });

/** `POST /api/agent/tasks/{taskID}/requests`: decided by the rules at once, or sent for review. */
export const GateRequestResponse = z.discriminatedUnion("status", [
  ruleDecision("allow"),
  ruleDecision("reject"),
  z.strictObject({
    status: z.literal("pending_review"),
    thread_id: threadId,
    task_id: z.string(),
    message: z.string(),
    recommended_poll_after_seconds: pollAfter,
  }),
]);
export type GateRequestResponse = z.input<typeof GateRequestResponse>;

/** `GET /api/agent/decisions`: a task the rules decided, a thread under review, or a reviewer's final decision. */
export const GateDecisionResponse = z.union([
  z.strictObject({ status: z.enum(["allow", "reject", "pending_review"]), task_id: z.string(), message: z.string() }),
  z.strictObject({
    thread_id: threadId,
    task_id: z.string(),
    status: z.literal("pending_review"),
    review_status: reviewStatus,
    message: z.string(),
    recommended_poll_after_seconds: pollAfter,
  }),
  z.strictObject({
    thread_id: threadId,
    task_id: z.string(),
    status: z.enum(["approved", "rejected"]),
    message: z.string(),
    approval_token: z.string().optional().meta({ description: "For agents with signed tokens: validate it once before acting" }),
    token_expires_at: timestamp.optional(),
  }),
]);
export type GateDecisionResponse = z.input<typeof GateDecisionResponse>;

/** `POST /api/agent/approvals/validate`, 200: the token held and is now used up. */
export const ValidateApprovalTokenResponse = z.strictObject({ valid: z.literal(true) });

/** `POST /api/agent/approvals/validate`, 4xx: the token did not validate, or the request could not be checked. */
export const ValidateApprovalTokenError = z.strictObject({
  valid: z.literal(false),
  reason: z.enum(["invalid", "task_mismatch", "expired", "already_used", "malformed"]).meta({
    description:
      "invalid (403): forged, unknown or another agent's; task_mismatch (403): bound to another task; already_used (409); expired (410); malformed (400, 413): task_id or signature missing or not strings, or the body not JSON",
  }),
  message: z.string().optional().meta({ description: "What was wrong with a malformed request" }),
});

export const GateThreadSummaryResponse = z.strictObject({
  thread_id: threadId,
  task_id: z.string(),
  status: z.enum(["needs_review", "escalated", "approved", "rejected"]),
  elevated: z.boolean().meta({ description: "Escalated at some point: needs an elevated review" }),
  workflow_name: z.string(),
  task_label: z.string(),
  tool_name: z.string(),
  subject: z.string(),
  preview: z.string().nullable(),
  risk_level: z.string().nullable().meta({ description: "low, medium, high or critical, as the agent sent it" }),
  created_at: timestamp,
  decided_at: timestamp.nullable(),
});
export type GateThreadSummaryResponse = z.input<typeof GateThreadSummaryResponse>;

export const GateThreadListResponse = z.strictObject({ data: z.array(GateThreadSummaryResponse) });

const dataUrl = z.string().meta({ description: "A `data:image/…;base64,` URL" });

/** A thread as a reviewer opens it: the request, its images, and the task's timeline. */
export const GateThreadResponse = GateThreadSummaryResponse.extend({
  summary: z.array(z.string()),
  payload: jsonObject.nullable(),
  revision_id: z.string().nullable(),
  decision_message: z.string().nullable(),
  images: z.array(dataUrl),
  timeline: z.array(
    z.strictObject({
      event_type: z.string(),
      event_summary: z.string(),
      payload: jsonObject.nullable(),
      images: z.array(dataUrl),
      created_at: timestamp,
    }),
  ),
  decisions: z
    .array(
      z.strictObject({
        status: GateThreadSummaryResponse.shape.status.meta({ description: "The thread's status after this step" }),
        message: z.string(),
        decided_by: z.enum(["rules", "reviewer"]),
        reviewer: z
          .strictObject({ name: z.string(), email: z.string() })
          .nullable()
          .meta({ description: "Who decided, when a reviewer did and is still a user" }),
        revision_id: z.string().nullable().meta({ description: "The revision of the request the step was about" }),
        created_at: timestamp,
      }),
    )
    .meta({ description: "The decision history, oldest first: the rules' opening, revisions, escalations, the final decision" }),
});
export type GateThreadResponse = z.input<typeof GateThreadResponse>;

/** POSTed to the gate agent's `webhook_url` on every final decision. */
export const GateDecisionWebhook = z.strictObject({
  thread_id: threadId,
  task_id: z.string(),
  decision: z.enum(["approved", "rejected"]),
  message: z.string(),
  tenant_id: z.uuid().meta({ description: "The organisation" }),
  workflow_name: z.string(),
  task_label: z.string(),
});
export type GateDecisionWebhook = z.input<typeof GateDecisionWebhook>;
