import type { ChannelType } from "@/lib/contracts/doors";

export { CHANNEL_TYPES, type ChannelType } from "@/lib/contracts/doors";

/** Meta's three messaging products share one callback route and one signature scheme. */
export const META_CHANNELS = ["whatsapp", "messenger", "instagram"] as const satisfies readonly ChannelType[];
export type MetaChannel = (typeof META_CHANNELS)[number];

export const isMetaChannel = (type: ChannelType): type is MetaChannel => (META_CHANNELS as readonly string[]).includes(type);

/**
 * Vendor details a reply needs, kept with the inbound message it answers: WhatsApp's
 * `phoneNumberId`, Messenger's `pageId`, Instagram's `accountId`, Twilio's `to` (the number or
 * `whatsapp:` address that was written to), email's `messageId`, `references`, `subject`, `to`.
 */
export type ReplyContext = Record<string, string>;

/** A message someone sent on a channel, in vendor-neutral form. */
export interface InboundMessage {
  /** The vendor's id of the message (wamid, mid, MessageSid, Message-ID): a repeated delivery carries the same one. */
  vendorMessageId: string;
  /** Who wrote: wa_id, PSID, IGSID, phone number (`whatsapp:` kept for Twilio WhatsApp) or email address. */
  from: string;
  /** The sender's display name, when the vendor gives one. */
  name: string | null;
  text: string;
  sentAt: Date;
  replyContext: ReplyContext;
}

/** One reply to send to a contact. */
export interface OutgoingReply {
  /** The contact's address on the channel (InboundMessage.from). */
  to: string;
  text: string;
  /** The ReplyContext of the message being answered. */
  context: ReplyContext;
}

export interface SentReply {
  /** The vendor's id of the sent message, when it returns one. */
  vendorMessageId: string | null;
}

/**
 * A vendor refused or failed a reply. `retryable` for 429, 5xx and network failures (the send is
 * tried again, no sooner than `retryAfterMs` when the vendor said so); anything else is final.
 */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ChannelSendError";
  }
}
