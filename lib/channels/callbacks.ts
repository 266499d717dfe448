import { timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { getDb, type ChannelConnection } from "@/lib/db";
import { ApiError } from "@/lib/errors";
import { parseJsonText, readRawBody } from "@/lib/http";
import { credentialsOf, findEnabledChannel } from "./connections";
import { parsePostmarkInbound, parseRawEmail } from "./email";
import { receiveMessages } from "./ingress";
import { answerMetaHandshake, parseMetaWebhook, verifyMetaSignature } from "./meta";
import { parseTwilioWebhook, verifyTwilioSignature } from "./twilio";
import { isMetaChannel } from "./types";

/** Meta batches up to a thousand events in one delivery. */
const META_MAX_BODY_BYTES = 1024 * 1024;
const TWILIO_MAX_BODY_BYTES = 64 * 1024;
/** Raw mail with attachments: large enough for ordinary mail, small enough to hold in memory. */
const EMAIL_MAX_BODY_BYTES = 10 * 1024 * 1024;

async function connectionFor(vendor: "meta" | "twilio" | "email", connectionId: string): Promise<ChannelConnection> {
  const connection = await findEnabledChannel(await getDb(), vendor, connectionId);
  if (!connection) throw new ApiError("NOT_FOUND", "Channel connection not found");
  return connection;
}

const sameSecret = (presented: string, expected: string) => {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Meta's subscription check: the raw challenge for the right verify token, else 403. */
export async function verifyMetaSubscription(connectionId: string, request: Request): Promise<Response> {
  const connection = await connectionFor("meta", connectionId);
  const challenge = answerMetaHandshake(new URL(request.url).searchParams, credentialsOf(connection).verify_token ?? "");
  if (challenge === null) throw new ApiError("FORBIDDEN", "The verify token does not match this channel connection");
  return new Response(challenge, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** A Meta delivery: signature over the raw bytes first, then every message stored and queued; 200 at once. */
export async function receiveMetaCallback(connectionId: string, request: Request): Promise<Response> {
  const connection = await connectionFor("meta", connectionId);
  const raw = await readRawBody(request, META_MAX_BODY_BYTES);
  if (!verifyMetaSignature(credentialsOf(connection).app_secret ?? "", raw, request.headers.get("x-hub-signature-256"))) {
    throw new ApiError("UNAUTHENTICATED", "X-Hub-Signature-256 is missing or does not match this connection's app secret");
  }
  const { type } = connection;
  // findEnabledChannel("meta", …) only finds Meta connections; this narrows the type.
  if (!isMetaChannel(type)) throw new ApiError("NOT_FOUND", "Channel connection not found");
  const messages = parseMetaWebhook(type, parseJsonText(raw.toString("utf8")));
  await receiveMessages(await getDb(), connection, messages);
  return new Response("EVENT_RECEIVED", { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * Twilio signs the URL it was given: PUBLIC_URL and this path (with the query), never the URL
 * this request arrived on, which a proxy in front may have rewritten.
 */
function signedUrl(request: Request): string {
  const { pathname, search } = new URL(request.url);
  return `${config().publicUrl}${pathname}${search}`;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** A Twilio message (SMS or WhatsApp) or status callback: an empty TwiML answer at once; the reply goes out through the REST API. */
export async function receiveTwilioCallback(connectionId: string, request: Request): Promise<Response> {
  const connection = await connectionFor("twilio", connectionId);
  const raw = await readRawBody(request, TWILIO_MAX_BODY_BYTES);
  const params = new URLSearchParams(raw.toString("utf8"));
  const authToken = credentialsOf(connection).auth_token ?? "";
  if (!verifyTwilioSignature(authToken, signedUrl(request), params, request.headers.get("x-twilio-signature"))) {
    throw new ApiError("UNAUTHENTICATED", "X-Twilio-Signature is missing or does not match this connection's auth token");
  }
  const event = parseTwilioWebhook(params);
  if (event.kind === "message") await receiveMessages(await getDb(), connection, [event.message]);
  return new Response(EMPTY_TWIML, { headers: { "Content-Type": "text/xml; charset=utf-8" } });
}

/** The inbox secret as a bearer token, or as the password of Basic auth (what Postmark's URL credentials send). */
function presentedInboxSecret(request: Request): string | null {
  const header = request.headers.get("authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Inbound mail: raw MIME (`message/rfc822`) or Postmark's inbound JSON, authenticated by the
 * connection's inbox secret. Postmark stops retrying on 403, so its refusals are 403s.
 */
export async function receiveEmailCallback(connectionId: string, request: Request): Promise<Response> {
  const connection = await connectionFor("email", connectionId);
  const contentType = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const postmark = contentType === "application/json";
  if (!postmark && contentType !== "message/rfc822") {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", "Send raw mail as message/rfc822, or Postmark's inbound JSON as application/json");
  }
  const presented = presentedInboxSecret(request);
  if (!presented || !sameSecret(presented, credentialsOf(connection).inbox_secret ?? "")) {
    const message = "The inbox secret is missing or wrong (Bearer, or the password of Basic auth)";
    throw new ApiError(postmark ? "FORBIDDEN" : "UNAUTHENTICATED", message);
  }
  const raw = await readRawBody(request, EMAIL_MAX_BODY_BYTES);
  const ingress = postmark ? parsePostmarkInbound(parseJsonText(raw.toString("utf8"))) : await parseRawEmail(raw);
  if (ingress.kind === "ignored") return Response.json({ received: false, ignored: ingress.reason });
  const fresh = await receiveMessages(await getDb(), connection, [ingress.message]);
  return Response.json({ received: fresh > 0 });
}
