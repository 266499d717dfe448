/**
 * Twilio Programmable Messaging (SMS and WhatsApp): checking its webhook signatures, reading
 * its inbound form posts, and sending replies through its REST API.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { retryAfterMs } from "@/lib/net";
import { ChannelSendError, type InboundMessage, type OutgoingReply, type SentReply } from "./types";

/** The longest Body Twilio accepts for one outgoing message (it splits it into segments itself). */
export const TWILIO_MAX_TEXT = 1600;

/** Vendor text quoted in our error messages is cut to this, so a large error page stays out of logs. */
const MAX_QUOTED_ERROR = 300;

/**
 * The X-Twilio-Signature Twilio computes: base64 HMAC-SHA1, keyed with the auth token, of the
 * URL followed by each POST parameter's name and value, names sorted. A repeated name adds each
 * of its distinct values, sorted, as Twilio's own helper libraries do.
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const valuesByName = new Map<string, Set<string>>();
  for (const [name, value] of params) {
    const values = valuesByName.get(name) ?? new Set<string>();
    values.add(value);
    valuesByName.set(name, values);
  }
  let signed = url;
  for (const name of [...valuesByName.keys()].sort()) {
    for (const value of [...(valuesByName.get(name) ?? [])].sort()) signed += name + value;
  }
  return createHmac("sha1", authToken).update(signed, "utf8").digest("base64");
}

const defaultPorts: Record<string, string> = { http: "80", https: "443" };

/**
 * The URL as given, plus the same URL with the scheme's default port added (when it has no port)
 * or removed (when it names the default one): Twilio signs some requests one way and some the
 * other. A non-default port is never removed, since that would be another server.
 */
function portVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (!match) return [url];
  const [, scheme = "", authority = "", rest = ""] = match;
  const defaultPort = defaultPorts[scheme.toLowerCase()];
  // Digits after the last colon are the port (an IPv6 literal's colons sit inside brackets).
  const portMatch = /^(.*?)(?::(\d+))?$/s.exec(authority);
  const hostPart = portMatch?.[1] ?? authority;
  const port = portMatch?.[2];
  if (port === undefined) return [url, `${scheme}://${authority}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${scheme}://${hostPart}${rest}`];
  return [url];
}

/**
 * Whether `header` (X-Twilio-Signature) is Twilio's signature of this request, for the URL
 * Twilio was configured with (behind a proxy it must come from configuration, not the request).
 * Compared in constant time.
 */
export function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, header: string | null): boolean {
  if (!header) return false;
  const received = Buffer.from(header.trim(), "utf8");
  let valid = false;
  for (const candidate of portVariants(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params), "utf8");
    if (expected.length === received.length && timingSafeEqual(expected, received)) valid = true;
  }
  return valid;
}

export type TwilioWebhook = { kind: "message"; message: InboundMessage } | { kind: "status" };

const nonEmpty = (value: string | null): string | null => (value && value.trim() !== "" ? value.trim() : null);

/**
 * Reads one of Twilio's form posts: an inbound SMS or WhatsApp message, or a status callback
 * for a message sent earlier (`status`, nothing to answer). Anything else is refused.
 */
export function parseTwilioWebhook(params: URLSearchParams): TwilioWebhook {
  // Inbound messages carry SmsStatus "received"; every other status is about a message we sent.
  const status = nonEmpty(params.get("MessageStatus")) ?? nonEmpty(params.get("SmsStatus"));
  if (status && status.toLowerCase() !== "received") return { kind: "status" };

  const sid = nonEmpty(params.get("MessageSid")) ?? nonEmpty(params.get("SmsSid"));
  const from = nonEmpty(params.get("From"));
  const to = nonEmpty(params.get("To"));
  const missing = [!sid && "MessageSid", !from && "From", !to && "To"].filter((field): field is string => Boolean(field));
  if (!sid || !from || !to) {
    throw new ApiError("VALIDATION_FAILED", "Not a Twilio message or status callback", {
      details: missing.map((field) => `${field} is missing`),
    });
  }

  const body = params.get("Body") ?? "";
  const mediaCount = Number.parseInt(params.get("NumMedia") ?? "0", 10);
  // The agent only reads text: it is told attachments were sent, so it can say it cannot see them.
  const mediaNote =
    mediaCount > 0
      ? `[The sender attached ${mediaCount} ${mediaCount === 1 ? "file" : "files"} (image, audio or other media) that could not be read.]`
      : null;
  const text = [body, mediaNote].filter((part): part is string => Boolean(part)).join("\n");

  return {
    kind: "message",
    message: {
      vendorMessageId: sid,
      from,
      name: nonEmpty(params.get("ProfileName")),
      text,
      // Twilio's webhook carries no send time; it calls within seconds of receiving the message.
      sentAt: new Date(),
      replyContext: { to },
    },
  };
}

interface TwilioErrorBody {
  code?: unknown;
  message?: unknown;
}

/** "error 21211: The 'To' number is not a valid phone number", from Twilio's JSON error body when it sent one. */
function describeTwilioError(body: TwilioErrorBody | null): string {
  if (!body) return "";
  const code = typeof body.code === "number" || typeof body.code === "string" ? `error ${body.code}` : null;
  const message = typeof body.message === "string" ? body.message.slice(0, MAX_QUOTED_ERROR) : null;
  return [code, message].filter(Boolean).join(": ");
}

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const parsed: unknown = JSON.parse(await response.text());
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Sends one SMS or WhatsApp reply from the number (or `whatsapp:` address) the contact wrote to.
 * Resolves with Twilio's message sid; throws ChannelSendError, retryable for 429, 5xx and
 * network failures.
 */
export async function sendTwilioReply(credentials: { accountSid: string; authToken: string }, reply: OutgoingReply): Promise<SentReply> {
  const { TWILIO_API_URL, CHANNEL_SEND_TIMEOUT_MS } = config();
  const from = reply.context.to;
  if (!from) throw new ChannelSendError("The reply has no Twilio number to send from (context.to)", false);

  const url = `${TWILIO_API_URL.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`;
  const basic = Buffer.from(`${credentials.accountSid}:${credentials.authToken}`, "utf8").toString("base64");
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ From: from, To: reply.to, Body: reply.text }),
      signal: AbortSignal.timeout(CHANNEL_SEND_TIMEOUT_MS),
      // A redirect is not Twilio accepting the message: it is reported as the 3xx it is.
      redirect: "manual",
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    const reason = timedOut ? `no answer within ${CHANNEL_SEND_TIMEOUT_MS} ms` : error instanceof Error ? error.message : String(error);
    throw new ChannelSendError(`Could not reach Twilio: ${reason}`, true);
  }

  const body = await readJson(response);
  if (response.ok) return { vendorMessageId: typeof body?.sid === "string" ? body.sid : null };

  const detail = describeTwilioError(body);
  const message = `Twilio answered HTTP ${response.status}${detail ? ` (${detail})` : ""}`;
  if (response.status === 429 || response.status >= 500) {
    throw new ChannelSendError(message, true, retryAfterMs(response.headers.get("retry-after") ?? undefined));
  }
  throw new ChannelSendError(message, false);
}
