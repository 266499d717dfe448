/** Response bodies of event webhook endpoints and their deliveries (`/api/webhook-endpoints…`). */
import { z } from "zod";
import { EVENT_TYPES } from "./event-catalogue";
import { timestamp } from "./fields";

export const WebhookEndpointResponse = z.strictObject({
  id: z.string().meta({ description: "The endpoint's public id (`whe_…`)" }),
  url: z.string(),
  description: z.string(),
  event_types: z.array(z.enum(EVENT_TYPES)).nullable().meta({ description: "The event types sent to it; null: every type" }),
  enabled: z.boolean(),
  disabled_reason: z
    .string()
    .nullable()
    .meta({ description: "Why Conduit disabled it (410 Gone, or deliveries kept failing); null when enabled or disabled by a member" }),
  disabled_at: timestamp.nullable(),
  consecutive_failures: z.number().int().meta({ description: "Deliveries in a row that used up every attempt" }),
  previous_secret_expires_at: timestamp
    .nullable()
    .meta({ description: "After a rotation, the old secret signs beside the new one until then" }),
  created_at: timestamp,
  updated_at: timestamp,
});
export type WebhookEndpointResponse = z.input<typeof WebhookEndpointResponse>;

export const WebhookEndpointListResponse = z.strictObject({ data: z.array(WebhookEndpointResponse) });
export type WebhookEndpointListResponse = z.input<typeof WebhookEndpointListResponse>;

export const WebhookEndpointWithSecretResponse = WebhookEndpointResponse.extend({
  secret: z.string().meta({ description: "`whsec_…`: verifies the signatures; shown only in this response" }),
});
export type WebhookEndpointWithSecretResponse = z.input<typeof WebhookEndpointWithSecretResponse>;

export const WebhookAttemptResponse = z.strictObject({
  at: timestamp,
  status: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when none came" }),
  error: z.string().nullable(),
  duration_ms: z.number(),
  response: z.string().nullable().meta({ description: "The start of the receiver's answer (at most 1 KB)" }),
});

export const WebhookDeliveryResponse = z.strictObject({
  id: z.string().meta({ description: "`msg_…`: the `webhook-id` header, the same on every retry and resend" }),
  endpoint_id: z.string(),
  event_type: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  payload: z.string().meta({ description: "The body exactly as sent" }),
  attempts: z.array(WebhookAttemptResponse),
  delivered_at: timestamp.nullable(),
  created_at: timestamp,
});
export type WebhookDeliveryResponse = z.input<typeof WebhookDeliveryResponse>;

export const WebhookDeliveryListResponse = z.strictObject({
  data: z.array(WebhookDeliveryResponse),
  next_cursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next (older) page; null on the last" }),
});
export type WebhookDeliveryListResponse = z.input<typeof WebhookDeliveryListResponse>;
