import type { ChannelConnection, ChannelType } from "@/lib/db";
import { credentialsOf } from "./connections";
import { EMAIL_MAX_TEXT, sendEmailReply } from "./email";
import { META_MAX_TEXT, sendMetaReply } from "./meta";
import { sendTwilioReply, TWILIO_MAX_TEXT } from "./twilio";
import { isMetaChannel, type OutgoingReply, type SentReply } from "./types";

/** The longest text one message on the channel may carry; longer answers go out in parts. */
export function maxTextOf(type: ChannelType): number {
  if (isMetaChannel(type)) return META_MAX_TEXT[type];
  return type === "twilio" ? TWILIO_MAX_TEXT : EMAIL_MAX_TEXT;
}

/** Sends one reply through the connection's vendor, with its own credentials. */
export function sendReply(connection: ChannelConnection, reply: OutgoingReply): Promise<SentReply> {
  const credentials = credentialsOf(connection);
  const { type } = connection;
  if (isMetaChannel(type)) return sendMetaReply(type, { accessToken: credentials.access_token ?? "" }, reply);
  if (type === "twilio") {
    return sendTwilioReply({ accountSid: credentials.account_sid ?? "", authToken: credentials.auth_token ?? "" }, reply);
  }
  return sendEmailReply({ fromAddress: connection.settings.from_address ?? "", fromName: connection.settings.from_name ?? null }, reply);
}
