/**
 * Channel connections (`/api/channels…`, with a personal access token like the rest of
 * administration) and the callbacks vendors deliver messages to (`/api/webhooks/…`).
 */
import { emptyResponse, ok, operation, pathParam, queryParam, surfaces, type Paths } from "../operation";

const channelId = pathParam("id", "The connection's public ID (`chn_…`)");
const connectionId = pathParam("connectionId", "The connection's public ID (`chn_…`), as in its callback URL");
const text = (description: string, mediaType = "text/plain") => ({ description, content: { [mediaType]: { schema: { type: "string" } } } });

export const channelPaths: Paths = {
  "/api/channels": {
    get: operation(surfaces.administration, "listChannels", {
      tag: "channels",
      summary: "The organisation's channel connections",
      parameters: [queryParam("agent_id", { type: "string" }, "Only this agent's connections")],
      responses: { 200: ok("Connections (credentials never included)", "ChannelListResponse") },
      errors: [401, 404, 429],
    }),
    post: operation(surfaces.administration, "createChannel", {
      tag: "channels",
      summary: "Connect an agent to a channel (owners and admins)",
      description:
        "Credentials are encrypted at rest and never returned. Paste `callback_url` into the vendor's console. An email connection's `inbox_secret` is generated unless given, and shown only in this response.",
      body: "CreateChannelRequest",
      responses: { 201: ok("The connection", "CreateChannelResponse") },
      errors: [401, 404, 413, 429],
    }),
  },
  "/api/channels/{id}": {
    get: operation(surfaces.administration, "getChannel", {
      tag: "channels",
      summary: "One channel connection",
      parameters: [channelId],
      responses: { 200: ok("The connection", "ChannelResponse") },
      errors: [401, 404, 429],
    }),
    patch: operation(surfaces.administration, "updateChannel", {
      tag: "channels",
      summary: "Rename, enable or disable a connection, or replace some of its credentials (owners and admins)",
      parameters: [channelId],
      body: "UpdateChannelRequest",
      responses: { 200: ok("The connection", "ChannelResponse") },
      errors: [401, 404, 413, 429],
    }),
    delete: operation(surfaces.administration, "deleteChannel", {
      tag: "channels",
      summary: "Disconnect a channel (owners and admins)",
      description: "Its callbacks answer 404 from now on; its conversations stay in the record.",
      parameters: [channelId],
      responses: { 204: emptyResponse("Deleted") },
      errors: [401, 404, 429],
    }),
  },
  "/api/webhooks/meta/{connectionId}": {
    get: operation(surfaces.channelCallbacks, "verifyMetaWebhook", {
      tag: "channelCallbacks",
      summary: "Meta's subscription handshake",
      description: "With `hub.mode=subscribe` and the connection's verify token, answers the raw `hub.challenge`.",
      parameters: [
        connectionId,
        queryParam("hub.mode", { type: "string" }, "subscribe"),
        queryParam("hub.verify_token", { type: "string" }, "The connection's verify token"),
        queryParam("hub.challenge", { type: "string" }, "Echoed back"),
      ],
      responses: { 200: text("The challenge") },
      errors: [403, 404, 429],
    }),
    post: operation(surfaces.channelCallbacks, "receiveMetaWebhook", {
      tag: "channelCallbacks",
      summary: "WhatsApp Cloud API, Messenger and Instagram deliveries",
      description:
        "`X-Hub-Signature-256` is checked over the raw bytes with the app secret. Text messages are stored once per message id and answered from the queue; statuses, receipts, echoes and reactions are acknowledged and ignored.",
      parameters: [connectionId],
      bodyContent: { "application/json": { schema: { type: "object" } } },
      responses: { 200: text("EVENT_RECEIVED") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
  "/api/webhooks/twilio/{connectionId}": {
    post: operation(surfaces.channelCallbacks, "receiveTwilioWebhook", {
      tag: "channelCallbacks",
      summary: "Twilio SMS and WhatsApp messages, and status callbacks",
      description:
        "`X-Twilio-Signature` is checked against PUBLIC_URL plus this path. Answers an empty TwiML `<Response/>` at once; the agent's reply goes out through Twilio's Messages API. Status callbacks are acknowledged and not run.",
      parameters: [connectionId],
      bodyContent: { "application/x-www-form-urlencoded": { schema: { type: "object" } } },
      responses: { 200: text("Empty TwiML", "text/xml") },
      errors: [400, 401, 404, 413, 429],
    }),
  },
  "/api/webhooks/email/{connectionId}": {
    post: operation(surfaces.channelCallbacks, "receiveEmail", {
      tag: "channelCallbacks",
      summary: "Inbound mail: raw MIME or Postmark's inbound JSON",
      description:
        "Authenticated by the connection's inbox secret, as a Bearer token or the password of Basic auth (Postmark: `https://postmark:<secret>@host/…`). Auto-replies, bounces and bulk mail are acknowledged and dropped. A wrong secret on Postmark's JSON is a 403, which stops its retries.",
      parameters: [connectionId],
      bodyContent: { "message/rfc822": { schema: { type: "string" } }, "application/json": { schema: { type: "object" } } },
      responses: { 200: ok("Whether the mail became a message, or why it was dropped", "EmailReceivedResponse") },
      errors: [400, 401, 403, 404, 413, 415, 429],
    }),
  },
};
