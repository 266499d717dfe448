/** Response bodies and webhook payloads of the task gateway (`/api/agent`) and key management (`/api/api-keys`). */
import { z } from "zod";
import { jsonObject, timestamp } from "./fields";

/** The task gateway's error envelope; validation failures are 422 `VALIDATION_ERROR`. */
export const TaskGatewayErrorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().meta({ example: "VALIDATION_ERROR" }),
    message: z.string(),
  }),
});

const conversationUuid = z.uuid().meta({ description: "The task's id" });

export const SubmitTaskResponse = z.strictObject({
  conversation_uuid: conversationUuid,
  status: z.enum(["accepted"]),
  message: z.string().meta({ example: "Your request has been queued." }),
});

export const TaskResponse = z.strictObject({
  conversation_uuid: conversationUuid,
  status: z.enum(["open", "processing", "waiting", "resolved", "failed"]),
  turns: z.array(
    z.strictObject({
      role: z.enum(["user", "agent"]),
      payload: jsonObject.meta({ description: "user: `{ message, context? }`; agent: `{ content }`" }),
      timestamp,
    }),
  ),
  webhook: z
    .object({
      status: z.enum(["pending", "delivered", "failed"]),
      delivered_at: timestamp.nullable(),
      attempts: z.array(
        z.strictObject({
          at: timestamp,
          status: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when none came" }),
          error: z.string().nullable(),
          duration_ms: z.number(),
        }),
      ),
    })
    .nullable()
    .meta({ description: "The reply webhook's delivery; null when the key has no response_url" }),
  resolved_at: timestamp.nullable(),
  expires_at: timestamp.meta({ description: "24 hours after creation; the task is gone (404) afterwards" }),
  created_at: timestamp,
});
export type TaskResponse = z.input<typeof TaskResponse>;

/** POSTed to the key's `response_url` when a task ends. */
export const TaskReplyWebhook = z.discriminatedUnion("status", [
  z.strictObject({ conversation_uuid: conversationUuid, status: z.literal("resolved"), response: z.string() }),
  z.strictObject({ conversation_uuid: conversationUuid, status: z.literal("failed"), error: z.string() }),
]);
export type TaskReplyWebhook = z.input<typeof TaskReplyWebhook>;

export const ApiKeyResponse = z.strictObject({
  id: z.string().meta({ description: "Public ID of the key" }),
  label: z.string(),
  start: z.string().meta({ description: "The key's first characters, to recognise it" }),
  last4: z.string(),
  agent_ids: z
    .array(z.string())
    .nullable()
    .meta({ description: "`agt_` ids of the agents the key may use, the first being the task gateway's default; null: every agent" }),
  response_url: z.string().nullable().meta({ description: "Where task replies are POSTed" }),
  budget_usd_cents: z.number().int().nullable().meta({ description: "Spending cap; null: unlimited" }),
  budget_period: z.enum(["daily", "monthly", "total"]).nullable(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
});
export type ApiKeyResponse = z.input<typeof ApiKeyResponse>;

export const ApiKeyListResponse = z.strictObject({ data: z.array(ApiKeyResponse) });

/** The only response that shows the key and its signing secret. */
export const CreateApiKeyResponse = ApiKeyResponse.extend({
  key: z.string().meta({ description: "The key itself, shown only here" }),
  signing_secret: z.string().meta({ description: "Signs task reply webhooks (X-Signature); shown only here" }),
});

/** The only response that shows the key's new secret; the signing secret is unchanged. */
export const RotateApiKeyResponse = ApiKeyResponse.extend({
  key: z.string().meta({ description: "The new key, shown only here; the previous one no longer works" }),
});
export type RotateApiKeyResponse = z.input<typeof RotateApiKeyResponse>;

export const ApiKeyDetailsResponse = ApiKeyResponse.extend({
  usage: z
    .object({
      period_start: timestamp,
      spent_usd_cents: z.number(),
      reserved_usd_cents: z.number().meta({ description: "Held for calls still running" }),
      remaining_usd_cents: z.number().nullable().meta({ description: "null: no budget" }),
      requests: z.number().int(),
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
    })
    .meta({ description: "In the current budget period" }),
});
export type ApiKeyDetailsResponse = z.input<typeof ApiKeyDetailsResponse>;
