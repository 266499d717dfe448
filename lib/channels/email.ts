/**
 * Email channels: reading inbound mail (raw MIME, or Postmark's inbound JSON) into the one new
 * message it carries, telling robots' mail apart so it never starts a turn, and answering in
 * the same thread over SMTP.
 *
 * Mail text is untrusted input: it is only cut, stripped of quoted history and measured here,
 * never followed or interpreted.
 */
import { createHash } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import PostalMime, { addressParser, type Email, type Mailbox } from "postal-mime";
import { z } from "zod";
import { config } from "@/lib/config";
import { ApiError } from "@/lib/errors";
import { htmlToPlainText } from "@/lib/html";
import { ChannelSendError, type InboundMessage, type OutgoingReply, type ReplyContext, type SentReply } from "./types";

/** The most of one email's text the agent is given. */
export const EMAIL_MAX_TEXT = 20_000;

/** Quote stripping looks at no more than this: the new part of a reply is at its top. */
const MAX_SCANNED_TEXT = 200_000;

/** A thread's References keep its first message and the latest ones, as mail clients trim them. */
const MAX_REFERENCES = 20;

export type EmailIngress = { kind: "message"; message: InboundMessage } | { kind: "ignored"; reason: string };

/** Header values by lower-cased name, in document order. */
type Headers = Map<string, string[]>;

/** What both inbound formats are reduced to before the shared rules apply. */
interface IncomingMail {
  headers: Headers;
  sender: { address: string; name: string } | null;
  /** The inbox address the mail was delivered to, when known. */
  inbox: string | null;
  subject: string;
  /** The body as plain text, quoted history included. */
  text: string;
  /** Attachments a person would see as files (not images embedded in the HTML). */
  attachmentCount: number;
  date: string | undefined;
  /** A vendor id to fall back on when the mail has no Message-ID. */
  vendorId: string | null;
  /** A digest of the whole delivery, so a mail with no id at all still dedupes on redelivery. */
  digest: () => string;
}

const header = (headers: Headers, name: string): string | undefined => headers.get(name)?.[0];

/** The distinct `<id@host>` tokens in a Message-ID, In-Reply-To or References value, in order. */
function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]+>/g);
  if (bracketed) return [...new Set(bracketed)];
  // Some senders omit the brackets; a lone token is still an id.
  const bare = value.trim();
  return bare && !/[\s<>]/.test(bare) ? [`<${bare}>`] : [];
}

/**
 * Why mail that is not from a person waiting for an answer is dropped, or null when it is. An
 * agent answering robots risks mail loops and answers nobody reads. Mailing lists are dropped
 * too: List-Id means the mail reached many people through a list, List-Unsubscribe marks
 * newsletters and notifications (large senders must add it); neither is one person writing.
 */
function automatedMailReason(headers: Headers, sender: string): string | null {
  const autoSubmitted = header(headers, "auto-submitted")?.split(";")[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== "no") return `automatic message (Auto-Submitted: ${autoSubmitted.slice(0, 40)})`;
  const precedence = header(headers, "precedence")?.trim().toLowerCase();
  if (precedence === "bulk" || precedence === "junk" || precedence === "list") return `bulk mail (Precedence: ${precedence})`;
  if (headers.has("x-autoreply")) return "automatic reply (X-Autoreply)";
  if (headers.has("x-autorespond")) return "automatic reply (X-Autorespond)";
  if (headers.has("list-id")) return "mailing-list mail (List-Id)";
  if (headers.has("list-unsubscribe")) return "bulk mail (List-Unsubscribe)";
  // RFC 3834: bounces and automatic replies are sent with an empty envelope sender.
  if (header(headers, "return-path")?.trim() === "<>") return "bounce or automatic reply (empty Return-Path)";
  if (/^\s*multipart\/report\b/i.test(header(headers, "content-type") ?? "")) return "delivery report (multipart/report)";
  const localPart = sender.slice(0, sender.lastIndexOf("@"));
  if (/^(mailer-daemon|postmaster)(\+.*)?$/i.test(localPart)) return `bounce or system mail (from ${localPart.toLowerCase()})`;
  if (/^(no|do[-_.]?not)[-_.]?reply/i.test(localPart)) return "mail from a no-reply address";
  return null;
}

const ATTRIBUTION = /^\s*On\s.*\swrote:\s*$/;
const MAX_ATTRIBUTION = 300;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*Original Message\s*-{2,}\s*$/i;
const OUTLOOK_FROM = /^\s*\*?From:\*?\s+\S/;
const OUTLOOK_SENT = /^\s*\*?(Sent|Date):\*?\s+\S/;
const FORWARDED = /forwarded message/i;
const OUTLOOK_RULE = /^\s*_{8,}\s*$/;
const SIGNATURE = /^-- ?$/;

const isBlank = (line: string) => line.trim() === "";
const isQuoted = (line: string) => /^\s*>/.test(line);

/** An "On <date>, <name> wrote:" line (with a date, so "On Monday she wrote:" in prose does not count). */
const isAttribution = (line: string) => line.length <= MAX_ATTRIBUTION && ATTRIBUTION.test(line) && /\d/.test(line);

/** How many lines (1, or 2 when a client wrapped it) the attribution starting at `index` spans; 0 for none. */
function attributionAt(lines: string[], index: number): number {
  const line = lines[index] ?? "";
  if (isQuoted(line)) return 0;
  if (isAttribution(line)) return 1;
  const next = lines[index + 1];
  if (next !== undefined && /^\s*On\s/.test(line) && !isQuoted(next) && isAttribution(`${line.trimEnd()} ${next.trim()}`)) return 2;
  return 0;
}

/**
 * Where an Outlook-style copy of the earlier mail starts: "-----Original Message-----" or a
 * From:/Sent: block. A block under a "Forwarded message" line is what the writer wants read.
 */
function earlierMessageStart(lines: string[]): number {
  let previous = "";
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (ORIGINAL_MESSAGE.test(line)) return index;
    const forwarded = FORWARDED.test(previous);
    if (!isBlank(line)) previous = line;
    if (OUTLOOK_FROM.test(line) && !forwarded) {
      const following = lines.slice(index + 1, index + 8).filter((candidate) => !isBlank(candidate));
      if (following.slice(0, 3).some((candidate) => OUTLOOK_SENT.test(candidate))) return index;
    }
  }
  return lines.length;
}

/**
 * The new part of a reply: drops the quoted history mail clients append ("On … wrote:" with the
 * quote below it, a trailing `>` block, "-----Original Message-----", Outlook's From:/Sent:
 * header block) and the signature after a "-- " line. Quotes between the writer's own lines
 * (an inline reply) are kept: there they are part of what was written.
 */
export function stripQuotedReply(text: string): string {
  let lines = text.replace(/\r\n?/g, "\n").split("\n");
  lines = lines.slice(0, earlierMessageStart(lines));

  for (let index = 0; index < lines.length; index++) {
    const span = attributionAt(lines, index);
    if (span === 0) continue;
    const after = lines.slice(index + span).filter((line) => !isBlank(line));
    // All quoted: a reply above the quote. None quoted: a quote whose `>` marks were lost (mail
    // converted from HTML). Both: an inline reply, where the writer's lines sit among the quotes.
    const inline = after.some(isQuoted) && after.some((line) => !isQuoted(line));
    if (!inline) lines = lines.slice(0, index);
    break;
  }

  while (lines.length > 0 && (isBlank(lines.at(-1) ?? "") || isQuoted(lines.at(-1) ?? ""))) lines.pop();
  const trailingAttribution = [lines.length - 1, lines.length - 2].find(
    (index) => index >= 0 && attributionAt(lines, index) === lines.length - index,
  );
  if (trailingAttribution !== undefined) lines = lines.slice(0, trailingAttribution);

  const signature = lines.findIndex((line) => SIGNATURE.test(line));
  if (signature !== -1) lines = lines.slice(0, signature);

  while (lines.length > 0 && (isBlank(lines.at(-1) ?? "") || OUTLOOK_RULE.test(lines.at(-1) ?? ""))) lines.pop();
  return lines.join("\n").trim();
}

/** The text the agent is given: the new part only, cut to EMAIL_MAX_TEXT, with a note on attachments it cannot read. */
function messageText(body: string, attachmentCount: number): string {
  let text = stripQuotedReply(body.slice(0, MAX_SCANNED_TEXT));
  if (text.length > EMAIL_MAX_TEXT)
    text = `${text.slice(0, EMAIL_MAX_TEXT)}\n[The rest of this email was cut: it is longer than ${EMAIL_MAX_TEXT} characters.]`;
  const note =
    attachmentCount > 0
      ? `[The sender attached ${attachmentCount} ${attachmentCount === 1 ? "file" : "files"} that could not be read.]`
      : null;
  return [text, note].filter(Boolean).join("\n\n");
}

/** References for the answer: the thread's own (or the mail it answered), then this mail. */
function threadReferences(headers: Headers, messageId: string | undefined): string[] {
  const earlier = messageIdsIn(header(headers, "references"));
  const chain = earlier.length > 0 ? earlier : messageIdsIn(header(headers, "in-reply-to"));
  if (messageId && !chain.includes(messageId)) chain.push(messageId);
  return chain.length > MAX_REFERENCES ? [chain[0] ?? "", ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
}

function sentAt(date: string | undefined): Date {
  const parsed = date ? new Date(date) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
}

function toIngress(mail: IncomingMail): EmailIngress {
  if (!mail.sender) return { kind: "ignored", reason: "no sender address" };
  const from = mail.sender.address.toLowerCase();
  const automated = automatedMailReason(mail.headers, from);
  if (automated) return { kind: "ignored", reason: automated };

  const text = messageText(mail.text, mail.attachmentCount);
  if (text === "") return { kind: "ignored", reason: "no new text (only quoted history or a signature)" };

  const messageId = messageIdsIn(header(mail.headers, "message-id"))[0];
  const references = threadReferences(mail.headers, messageId);
  const subject = mail.subject.replace(/\s+/g, " ").trim();
  const replyContext: ReplyContext = { subject };
  if (messageId) replyContext.messageId = messageId;
  if (references.length > 0) replyContext.references = references.join(" ");
  if (mail.inbox) replyContext.to = mail.inbox.toLowerCase();

  return {
    kind: "message",
    message: {
      vendorMessageId: messageId ?? mail.vendorId ?? `sha256:${mail.digest()}`,
      from,
      name: mail.sender.name.trim() || null,
      text,
      sentAt: sentAt(mail.date),
      replyContext,
    },
  };
}

/** The first mailbox of an address header's value (groups unwrapped), if it has an address. */
function firstMailbox(value: string | undefined): Mailbox | null {
  if (!value) return null;
  const mailbox = addressParser(value, { flatten: true }).find((address): address is Mailbox => Boolean(address.address));
  return mailbox ?? null;
}

/** Parses a raw RFC 5322 message (as an inbound relay or `sendmail`-style pipe delivers it). */
export async function parseRawEmail(raw: Uint8Array): Promise<EmailIngress> {
  let email: Email;
  try {
    email = await PostalMime.parse(raw);
  } catch (error) {
    throw new ApiError("VALIDATION_FAILED", "The email could not be parsed", { cause: error });
  }
  const headers: Headers = new Map();
  for (const { key, value } of email.headers) headers.set(key, [...(headers.get(key) ?? []), value]);

  const from = firstMailbox(header(headers, "from"));
  const inbox =
    email.deliveredTo ??
    firstMailbox(header(headers, "x-original-to"))?.address ??
    [...(email.to ?? []), ...(email.cc ?? [])].find((address): address is Mailbox => Boolean(address.address))?.address ??
    null;

  return toIngress({
    headers,
    sender: from ? { address: from.address, name: from.name } : null,
    inbox,
    subject: email.subject ?? "",
    text: email.text?.trim() ? email.text : htmlToPlainText((email.html ?? "").slice(0, MAX_SCANNED_TEXT)),
    attachmentCount: email.attachments.filter((attachment) => !attachment.related && attachment.disposition !== "inline").length,
    date: email.date,
    vendorId: null,
    digest: () => createHash("sha256").update(raw).digest("hex"),
  });
}

const postmarkAddress = z.object({ Email: z.string(), Name: z.string().nullish() });

/** The parts of Postmark's inbound webhook JSON that are read; other fields are ignored. */
const postmarkInboundSchema = z.object({
  From: z.string(),
  FromFull: postmarkAddress.nullish(),
  To: z.string().nullish(),
  ToFull: z.array(postmarkAddress).nullish(),
  /** The inbound address Postmark received the mail on (To may list others). */
  OriginalRecipient: z.string().nullish(),
  Subject: z.string().nullish(),
  Date: z.string().nullish(),
  TextBody: z.string().nullish(),
  HtmlBody: z.string().nullish(),
  StrippedTextReply: z.string().nullish(),
  MessageID: z.string().nullish(),
  Headers: z.array(z.object({ Name: z.string(), Value: z.string() })).nullish(),
  Attachments: z.array(z.object({ ContentID: z.string().nullish() })).nullish(),
});

/**
 * Reads Postmark's inbound webhook body. Postmark's own quote stripping (StrippedTextReply) is
 * preferred when it found a reply; the MailboxHash needs no field of its own, as the inbox
 * address kept for the reply includes it.
 */
export function parsePostmarkInbound(body: unknown): EmailIngress {
  const parsed = postmarkInboundSchema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError("VALIDATION_FAILED", "Not a Postmark inbound message", {
      details: parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`),
    });
  }
  const mail = parsed.data;
  const headers: Headers = new Map();
  for (const { Name, Value } of mail.Headers ?? []) headers.set(Name.toLowerCase(), [...(headers.get(Name.toLowerCase()) ?? []), Value]);

  const fromFull = mail.FromFull?.Email ? { address: mail.FromFull.Email, name: mail.FromFull.Name ?? "" } : null;
  const fromHeader = firstMailbox(mail.From);
  const inbox =
    mail.OriginalRecipient || mail.ToFull?.find((address) => address.Email)?.Email || firstMailbox(mail.To ?? undefined)?.address || null;
  const text = mail.StrippedTextReply?.trim() || mail.TextBody?.trim() || htmlToPlainText((mail.HtmlBody ?? "").slice(0, MAX_SCANNED_TEXT));

  return toIngress({
    headers,
    sender: fromFull ?? (fromHeader ? { address: fromHeader.address, name: fromHeader.name } : null),
    inbox,
    subject: mail.Subject ?? "",
    text,
    attachmentCount: (mail.Attachments ?? []).filter((attachment) => !attachment.ContentID).length,
    date: mail.Date ?? undefined,
    vendorId: mail.MessageID || null,
    digest: () => createHash("sha256").update(JSON.stringify(body)).digest("hex"),
  });
}

/** "Re: <subject>", without stacking a second "Re:" on a subject that has one. */
export function replySubject(subject: string | undefined): string {
  const clean = (subject ?? "").replace(/\s+/g, " ").trim();
  return /^re\s*:/i.test(clean) ? clean : `Re: ${clean}`.trimEnd();
}

let transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;

/** One SMTP transport for the process, from SMTP_URL (nodemailer's URL options, such as `?requireTLS=true`, apply). */
function smtpTransport(): Transporter<SMTPTransport.SentMessageInfo> {
  if (transport) return transport;
  const { SMTP_URL, CHANNEL_SEND_TIMEOUT_MS } = config();
  if (!SMTP_URL) throw new ChannelSendError("SMTP_URL is not set", false);
  const url = new URL(SMTP_URL);
  // nodemailer reads its options from the URL's query; each wait is bounded unless the operator set it.
  for (const option of ["connectionTimeout", "greetingTimeout", "socketTimeout"]) {
    if (!url.searchParams.has(option)) url.searchParams.set(option, String(CHANNEL_SEND_TIMEOUT_MS));
  }
  transport = nodemailer.createTransport(url.toString());
  return transport;
}

/** nodemailer's codes for failing to reach or keep talking to the server: worth another try. */
const CONNECTION_FAILURES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS"]);

function sendFailure(error: unknown): ChannelSendError {
  const { code, responseCode, message } = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const reason = `SMTP send failed: ${typeof message === "string" ? message.slice(0, 300) : String(error)}`;
  if (typeof responseCode === "number") return new ChannelSendError(reason, responseCode >= 400 && responseCode < 500);
  return new ChannelSendError(reason, typeof code === "string" && CONNECTION_FAILURES.has(code));
}

/**
 * Answers an email in its thread (In-Reply-To and References from the context), marked
 * `Auto-Submitted: auto-replied` (RFC 3834) so other robots do not answer it. Resolves with the
 * Message-ID sent; throws ChannelSendError, retryable for SMTP 4xx and connection failures.
 */
export async function sendEmailReply(
  settings: { fromAddress: string; fromName?: string | null },
  reply: OutgoingReply,
): Promise<SentReply> {
  const smtp = smtpTransport();
  const inReplyTo = messageIdsIn(reply.context.messageId)[0];
  const references = messageIdsIn(reply.context.references);
  try {
    const info = await smtp.sendMail({
      from: settings.fromName ? { name: settings.fromName, address: settings.fromAddress } : settings.fromAddress,
      // An address object, so a comma in it can never add recipients.
      to: { name: "", address: reply.to },
      subject: replySubject(reply.context.subject),
      text: reply.text,
      inReplyTo,
      references: references.length > 0 ? references : undefined,
      headers: {
        "Auto-Submitted": "auto-replied",
        // Asks Exchange and Outlook not to send out-of-office notices back to the agent.
        "X-Auto-Response-Suppress": "All",
      },
    });
    return { vendorMessageId: info.messageId || null };
  } catch (error) {
    throw sendFailure(error);
  }
}
