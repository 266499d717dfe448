/** What the webhook endpoints API (and the dashboard's forms) accept. */
import { z } from "zod";
import { EVENT_TYPES } from "@/lib/contracts/event-catalogue";

const url = z
  .string()
  .trim()
  .max(2_000)
  .pipe(z.url({ protocol: /^https?$/, error: "url must be an http(s) URL" }))
  .meta({ description: "https; plain http only for loopback addresses the operator allows (TOOL_ALLOWED_PRIVATE_HOSTS)" });
const description = z.string().trim().max(500);
const eventTypes = z
  .array(z.enum(EVENT_TYPES))
  .min(1, "event_types: name at least one type, or null for every type")
  .nullable()
  .meta({ description: "The event types to send; null (the default): every type" });

export const CreateWebhookEndpointRequest = z.strictObject({
  url,
  description: description.optional(),
  event_types: eventTypes.optional(),
  enabled: z.boolean().optional(),
});
export type CreateWebhookEndpointRequest = z.output<typeof CreateWebhookEndpointRequest>;

export const UpdateWebhookEndpointRequest = z.strictObject({
  url: url.optional(),
  description: description.optional(),
  event_types: eventTypes.optional(),
  enabled: z.boolean().optional().meta({ description: "true re-enables an endpoint Conduit disabled, and clears its failure count" }),
});
export type UpdateWebhookEndpointRequest = z.output<typeof UpdateWebhookEndpointRequest>;

export const ListWebhookDeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
});
export type ListWebhookDeliveriesQuery = z.output<typeof ListWebhookDeliveriesQuery>;
