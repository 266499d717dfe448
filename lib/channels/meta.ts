/**
 * Meta's three messaging products (WhatsApp Cloud API, Messenger, Instagram): checking and reading
 * their webhook deliveries, and sending replies through their Graph APIs.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { describeFailure } from "@/lib/runtime/failure";
import { retryAfterMs } from "@/lib/net";
import { ChannelSendError, type InboundMessage, type MetaChannel, type OutgoingReply, type ReplyContext, type SentReply } from "./types";

/** The longest reply text each product accepts, in characters: longer replies are split before sending. */
export const META_MAX_TEXT: Record<MetaChannel, number> = { whatsapp: 4096, messenger: 2000, instagram: 1000 };

const PRODUCT_NAMES: Record<MetaChannel, string> = { whatsapp: "WhatsApp", messenger: "Messenger", instagram: "Instagram" };

/** The `object` of the deliveries each product sends. */
const WEBHOOK_OBJECTS: Record<MetaChannel, string> = { whatsapp: "whatsapp_business_account", messenger: "page", instagram: "instagram" };

// ---------------------------------------------------------------------------------------------
// Authenticity

const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * True when `header` (X-Hub-Signature-256) is `sha256=` and the hex HMAC-SHA256 of the exact bytes
 * received, keyed with the app secret. Compared in constant time; a malformed header is false.
 */
export function verifyMetaSignature(appSecret: string, rawBody: Uint8Array, header: string | null): boolean {
  // With an empty secret anyone could compute the signature.
  if (!appSecret || !header) return false;
  const signature = SIGNATURE_HEADER.exec(header.trim())?.[1];
  if (!signature) return false;
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/**
 * The answer to Meta's subscription check (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
 * the challenge, unchanged, when the token matches; null when the request is anything else.
 */
export function answerMetaHandshake(query: URLSearchParams, verifyToken: string): string | null {
  const challenge = query.get("hub.challenge");
  if (query.get("hub.mode") !== "subscribe" || challenge === null || !verifyToken) return null;
  return sameSecret(query.get("hub.verify_token") ?? "", verifyToken) ? challenge : null;
}

/** Compares digests of the two, so the timing shows neither the secret's content nor its length. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// ---------------------------------------------------------------------------------------------
// Deliveries

const deliverySchema = z.object({ object: z.string(), entry: z.array(z.unknown()) });

/** Unix time as WhatsApp sends it (seconds, as a string) or as Messenger and Instagram do (milliseconds, a number). */
const unixTime = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().positive());

/**
 * The items of a batch that fit `schema`. Deliveries are batched, and one item of a shape this code
 * does not know must not cost the others their turn.
 */
function fitting<T>(schema: z.ZodType<T>, items: readonly unknown[] | undefined): T[] {
  return (items ?? []).flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Things people send that an agent cannot read. They become a short turn rather than silence, so
 * the agent can say it only reads text instead of seeming not to answer.
 */
const ATTACHMENT_NOUNS: Record<string, string> = {
  image: "an image",
  video: "a video",
  audio: "an audio message",
  document: "a document",
  file: "a file",
  sticker: "a sticker",
  location: "a location",
  contacts: "a contact card",
  share: "a shared post",
  ig_post: "a post",
  ig_reel: "a reel",
  reel: "a reel",
  story_mention: "a story mention",
};

function unreadable(noun: string, caption?: string): string {
  const note = `[sent ${noun}, which cannot be read here]`;
  return caption?.trim() ? `${caption.trim()}\n${note}` : note;
}

const whatsappContactSchema = z.object({
  wa_id: z.string().optional(),
  /** The business-scoped user id, which stands in for the phone number of people who use a WhatsApp username. */
  user_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});

const captioned = z.object({ caption: z.string().optional() }).optional();

const whatsappMessageSchema = z.object({
  id: z.string().min(1),
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  timestamp: unixTime,
  type: z.string(),
  group_id: z.string().optional(),
  text: z.object({ body: z.string() }).optional(),
  /** A tap on a template's quick-reply button. */
  button: z.object({ text: z.string() }).optional(),
  /** A tap on an interactive message's reply button or list row. */
  interactive: z
    .object({
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
  image: captioned,
  video: captioned,
  document: captioned,
});
type WhatsappMessage = z.infer<typeof whatsappMessageSchema>;

const whatsappChangeSchema = z.object({
  field: z.literal("messages"),
  value: z.object({
    metadata: z.object({ phone_number_id: z.string().min(1) }),
    contacts: z.array(z.unknown()).optional(),
    messages: z.array(z.unknown()).optional(),
  }),
});

const whatsappEntrySchema = z.object({ changes: z.array(z.unknown()) });

/**
 * What a WhatsApp message says, or null for what is not a turn: reactions, unsupported and system
 * messages, and types this code does not know.
 */
function whatsappText(message: WhatsappMessage): string | null {
  switch (message.type) {
    case "text":
      return message.text?.body ?? null;
    case "button":
      return message.button?.text ?? null;
    case "interactive":
      return message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title ?? null;
    case "image":
    case "video":
    case "document":
      return unreadable(ATTACHMENT_NOUNS[message.type] ?? "an attachment", message[message.type]?.caption);
  }
  const noun = ATTACHMENT_NOUNS[message.type];
  return noun ? unreadable(noun) : null;
}

function whatsappTurns(entries: readonly unknown[]): InboundMessage[] {
  return fitting(whatsappEntrySchema, entries).flatMap((entry) =>
    fitting(whatsappChangeSchema, entry.changes).flatMap(({ value }) => {
      const contacts = fitting(whatsappContactSchema, value.contacts);
      return fitting(whatsappMessageSchema, value.messages).flatMap((message): InboundMessage[] => {
        const from = message.from ?? message.from_user_id;
        const text = whatsappText(message);
        // A reply to a group message would go to the one member privately: groups are not answered.
        if (!from || message.group_id || !text?.trim()) return [];
        const contact = contacts.find(
          (candidate) =>
            (message.from !== undefined && candidate.wa_id === message.from) ||
            (message.from_user_id !== undefined && candidate.user_id === message.from_user_id),
        );
        return [
          {
            vendorMessageId: message.id,
            from,
            name: contact?.profile?.name || null,
            text,
            sentAt: new Date(message.timestamp * 1000),
            replyContext: { phoneNumberId: value.metadata.phone_number_id },
          },
        ];
      });
    }),
  );
}

const messagingEventSchema = z.object({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }).optional(),
  timestamp: unixTime,
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
      attachments: z.array(z.object({ type: z.string().optional() })).optional(),
    })
    .optional(),
  /** A tap on a button (Get Started, an ice breaker, a template button); `mid` since Graph v11. */
  postback: z.object({ mid: z.string().min(1).optional(), title: z.string().optional() }).optional(),
});
type MessagingEvent = z.infer<typeof messagingEventSchema>;

/** `standby` (another app has the conversation) and Instagram's `changes` (comments) are not read. */
const messagingEntrySchema = z.object({ id: z.string().min(1).optional(), messaging: z.array(z.unknown()).optional() });

/**
 * The id and text of a Messenger or Instagram event that is a turn; null for echoes of what the
 * business sent, deleted and unsupported messages, reactions, reads and deliveries.
 */
function messagingTurn(event: MessagingEvent): { id: string; text: string } | null {
  const { message, postback } = event;
  if (message) {
    if (message.is_echo || message.is_deleted || message.is_unsupported) return null;
    if (message.text?.trim()) return { id: message.mid, text: message.text };
    const kind = message.attachments?.[0]?.type;
    return kind === undefined ? null : { id: message.mid, text: unreadable(ATTACHMENT_NOUNS[kind] ?? "an attachment") };
  }
  // The button's title is what the person saw and chose, so it is their turn (and a Get Started
  // tap is often the very first one). Deliveries from before Graph v11 carry no mid: sender and
  // time identify a repeated delivery just as well.
  if (postback?.title?.trim()) return { id: postback.mid ?? `postback:${event.sender.id}:${event.timestamp}`, text: postback.title };
  return null;
}

function messagingTurns(channel: "messenger" | "instagram", entries: readonly unknown[]): InboundMessage[] {
  return fitting(messagingEntrySchema, entries).flatMap((entry) =>
    fitting(messagingEventSchema, entry.messaging).flatMap((event): InboundMessage[] => {
      const businessId = entry.id ?? event.recipient?.id;
      const turn = messagingTurn(event);
      // The business's own messages come back as echoes; one without the flag is still its own.
      if (!businessId || !turn || event.sender.id === businessId) return [];
      const replyContext: ReplyContext = channel === "messenger" ? { pageId: businessId } : { accountId: businessId };
      return [
        { vendorMessageId: turn.id, from: event.sender.id, name: null, text: turn.text, sentAt: new Date(event.timestamp), replyContext },
      ];
    }),
  );
}

/**
 * The messages people sent in one webhook delivery, in delivery order, for a connection on `channel`.
 * Every entry, change and messaging item is read; only text (or a button's title) becomes a turn,
 * and media becomes a one-line note saying what was sent. A delivery for another product yields
 * nothing. Throws VALIDATION_FAILED when `body` is not a Meta delivery at all.
 */
export function parseMetaWebhook(channel: MetaChannel, body: unknown): InboundMessage[] {
  const delivery = deliverySchema.safeParse(body);
  if (!delivery.success) {
    throw new ApiError("VALIDATION_FAILED", "Not a Meta webhook delivery: expected a JSON object with `object` and an `entry` array");
  }
  if (delivery.data.object !== WEBHOOK_OBJECTS[channel]) return [];
  return channel === "whatsapp" ? whatsappTurns(delivery.data.entry) : messagingTurns(channel, delivery.data.entry);
}

// ---------------------------------------------------------------------------------------------
// Replies

/** WhatsApp's business-scoped user id (`US.13491208655302741918`), sent as `recipient` because it is not a phone number. */
const BUSINESS_SCOPED_USER_ID = /^[A-Z]{2}\.[A-Za-z0-9.]+$/;

/** Meta's codes for "too many requests": app, user, page, rate, account, throughput and pair limits. */
const THROTTLING_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131056]);

/** Meta's codes for a passing fault on its side: unknown, service, temporary send failure, unavailable. */
const TRANSIENT_CODES = new Set([1, 2, 1200, 131000, 131016, 133004]);

/** Token and permission problems, which no retry fixes (Meta answers some of them with a 500). */
const isAuthorisationCode = (code: number) => code === 0 || code === 3 || code === 10 || code === 190 || (code >= 200 && code <= 299);

const graphErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.coerce.number().int().optional(),
    error_subcode: z.coerce.number().int().optional(),
    is_transient: z.boolean().optional(),
    error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
    fbtrace_id: z.string().optional(),
  }),
});
type GraphError = z.infer<typeof graphErrorSchema>["error"];

const whatsappSentSchema = z.object({ messages: z.array(z.object({ id: z.string() })).min(1) });
const messagingSentSchema = z.object({ message_id: z.string() });

interface GraphRequest {
  url: string;
  body: Record<string, unknown>;
  sentId: (answer: unknown) => string | null;
}

function contextValue(channel: MetaChannel, context: ReplyContext, key: string): string {
  const value = context[key];
  if (!value) throw new ChannelSendError(`${PRODUCT_NAMES[channel]} reply has no ${key} in its reply context`, false);
  return value;
}

const messagesUrl = (base: string, version: string, senderId: string) =>
  `${base.replace(/\/+$/, "")}/${version}/${encodeURIComponent(senderId)}/messages`;

function graphRequest(channel: MetaChannel, reply: OutgoingReply): GraphRequest {
  const settings = config();
  const version = settings.META_GRAPH_VERSION;
  switch (channel) {
    case "whatsapp": {
      const recipient = BUSINESS_SCOPED_USER_ID.test(reply.to) ? { recipient: reply.to } : { to: reply.to };
      return {
        url: messagesUrl(settings.META_GRAPH_URL, version, contextValue(channel, reply.context, "phoneNumberId")),
        body: { messaging_product: "whatsapp", recipient_type: "individual", ...recipient, type: "text", text: { body: reply.text } },
        sentId: (answer) => whatsappSentSchema.safeParse(answer).data?.messages[0]?.id ?? null,
      };
    }
    case "messenger":
      return {
        url: messagesUrl(settings.META_GRAPH_URL, version, contextValue(channel, reply.context, "pageId")),
        body: { recipient: { id: reply.to }, messaging_type: "RESPONSE", message: { text: reply.text } },
        sentId: (answer) => messagingSentSchema.safeParse(answer).data?.message_id ?? null,
      };
    case "instagram":
      return {
        url: messagesUrl(settings.INSTAGRAM_GRAPH_URL, version, contextValue(channel, reply.context, "accountId")),
        body: { recipient: { id: reply.to }, message: { text: reply.text } },
        sentId: (answer) => messagingSentSchema.safeParse(answer).data?.message_id ?? null,
      };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRetryable(status: number, error: GraphError | undefined): boolean {
  const code = error?.code;
  if (code !== undefined && (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code))) return true;
  if (error?.is_transient) return true;
  if (code !== undefined && isAuthorisationCode(code)) return false;
  return status === 429 || status >= 500;
}

function describeRefusal(channel: MetaChannel, status: number, error: GraphError | undefined): string {
  const product = PRODUCT_NAMES[channel];
  if (error?.code === undefined) return `${product} refused the reply with HTTP ${status}${error?.message ? `: ${error.message}` : ""}`;
  const subcode = error.error_subcode === undefined ? "" : `/${error.error_subcode}`;
  const details = error.error_data?.details ? ` (${error.error_data.details})` : "";
  const trace = error.fbtrace_id ? ` [fbtrace_id ${error.fbtrace_id}]` : "";
  return `${product} refused the reply: Meta error ${error.code}${subcode}, HTTP ${status}: ${error.message ?? "no message"}${details}${trace}`;
}

/** Vendor text is quoted into errors; should it ever echo the token, the token goes no further. */
const withoutToken = (text: string, accessToken: string) => text.split(accessToken).join("[access token]");

/**
 * Sends one text reply through the product's Graph API: WhatsApp's and Messenger's at META_GRAPH_URL,
 * Instagram's at INSTAGRAM_GRAPH_URL, with the access token as a Bearer header. Resolves with Meta's
 * id of the sent message. Throws ChannelSendError: retryable for throttling, 5xx, timeouts and
 * network failures (with Meta's Retry-After when it gives one), final otherwise, such as a reply
 * outside WhatsApp's 24-hour window (131047) or text longer than META_MAX_TEXT.
 */
export async function sendMetaReply(channel: MetaChannel, credentials: { accessToken: string }, reply: OutgoingReply): Promise<SentReply> {
  const product = PRODUCT_NAMES[channel];
  const length = [...reply.text].length;
  if (length === 0 || length > META_MAX_TEXT[channel]) {
    throw new ChannelSendError(`${product} replies must be 1 to ${META_MAX_TEXT[channel]} characters; this one has ${length}`, false);
  }
  if (!credentials.accessToken) throw new ChannelSendError(`${product} connection has no access token`, false);
  const request = graphRequest(channel, reply);
  const timeoutMs = config().CHANNEL_SEND_TIMEOUT_MS;

  let response: Response;
  let answer: string;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: { authorization: `Bearer ${credentials.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify(request.body),
      // A redirect would be a misconfigured base URL; following it could carry the token elsewhere.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeFailure(error);
    throw new ChannelSendError(withoutToken(`Could not send the ${product} reply: ${reason}`, credentials.accessToken), true);
  }

  const body = parseJson(answer);
  if (response.ok) return { vendorMessageId: request.sentId(body) };
  const error = graphErrorSchema.safeParse(body).data?.error;
  const retryable = isRetryable(response.status, error);
  throw new ChannelSendError(
    withoutToken(describeRefusal(channel, response.status, error), credentials.accessToken),
    retryable,
    retryable ? retryAfterMs(response.headers.get("retry-after") ?? undefined) : undefined,
  );
}
