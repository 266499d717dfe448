/** Response bodies of channel connections (`/api/channels…`). */
import { z } from "zod";
import { CHANNEL_TYPES } from "./doors";
import { timestamp } from "./fields";

export const ChannelResponse = z.strictObject({
  id: z.string().meta({ description: "The connection's public id (`chn_…`), also the last segment of its callback URL" }),
  agent_id: z.string(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  enabled: z.boolean(),
  api_key_id: z
    .string()
    .nullable()
    .meta({ description: "The API key whose budget pays for the runs; null: the organisation's plan alone" }),
  callback_url: z.string().meta({ description: "Paste into the vendor's console (built from PUBLIC_URL)" }),
  credentials_set: z.array(z.string()).meta({ description: "Which credentials are stored; their values are never returned" }),
  settings: z.record(z.string(), z.string()),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ChannelResponse = z.input<typeof ChannelResponse>;

export const ChannelListResponse = z.strictObject({ data: z.array(ChannelResponse) });
export type ChannelListResponse = z.input<typeof ChannelListResponse>;

export const CreateChannelResponse = ChannelResponse.extend({
  inbox_secret: z
    .string()
    .optional()
    .meta({ description: "Email connections: authenticates inbound mail posts; shown only in this response" }),
});
export type CreateChannelResponse = z.input<typeof CreateChannelResponse>;

/** `POST /api/webhooks/email/{connectionId}`. */
export const EmailReceivedResponse = z.strictObject({
  received: z.boolean().meta({ description: "Whether the mail became a message for the agent (false for a repeated delivery too)" }),
  ignored: z.string().optional().meta({ description: "Why it was dropped: an auto-reply, a bounce, bulk mail, no text" }),
});
export type EmailReceivedResponse = z.input<typeof EmailReceivedResponse>;
