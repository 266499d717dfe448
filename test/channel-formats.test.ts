/**
 * Twilio and email channel formats: signatures, inbound parsing of realistic vendor payloads and
 * MIME mail, and replies sent for real to loopback stand-ins (Twilio's REST API, an SMTP relay).
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePostmarkInbound, parseRawEmail, replySubject, sendEmailReply, stripQuotedReply, EMAIL_MAX_TEXT } from "@/lib/channels/email";
import { parseTwilioWebhook, sendTwilioReply, twilioSignature, verifyTwilioSignature, TWILIO_MAX_TEXT } from "@/lib/channels/twilio";
import { ChannelSendError, type InboundMessage } from "@/lib/channels/types";
import { ApiError } from "@/lib/errors";
import { startSmtpStandIn, type SmtpStandIn } from "./support/smtp-stand-in";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver";

let twilioApi: WebhookReceiver;
let smtp: SmtpStandIn;

beforeAll(async () => {
  [twilioApi, smtp] = await Promise.all([startWebhookReceiver(), startSmtpStandIn()]);
  // config() reads the environment once, on first use: these must be set before any send.
  process.env.TWILIO_API_URL = twilioApi.origin;
  process.env.SMTP_URL = smtp.url;
  process.env.CHANNEL_SEND_TIMEOUT_MS = "1500";
});

afterAll(async () => {
  await Promise.all([twilioApi?.close(), smtp?.close()]);
});

/** A .eml as a mail server hands it over: CRLF line ends. */
const eml = (text: string) => new TextEncoder().encode(text.replace(/\r?\n/g, "\r\n"));

async function parsedMessage(raw: Uint8Array): Promise<InboundMessage> {
  const ingress = await parseRawEmail(raw);
  if (ingress.kind !== "message") throw new Error(`expected a message, got ignored: ${ingress.reason}`);
  return ingress.message;
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("Twilio signatures", () => {
  // Twilio's published example (https://www.twilio.com/docs/usage/security): note the query string.
  const token = "12345";
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params = new URLSearchParams({
    CallSid: "CA1234567890ABCDE",
    Caller: "+12349013030",
    Digits: "1234",
    From: "+12349013030",
    To: "+18005551212",
  });
  const published = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

  it("computes Twilio's published test vector and accepts it", () => {
    expect(twilioSignature(token, url, params)).toBe(published);
    expect(verifyTwilioSignature(token, url, params, published)).toBe(true);
  });

  it("does not depend on the order the parameters arrived in", () => {
    const shuffled = new URLSearchParams([...params].reverse());
    expect(twilioSignature(token, url, shuffled)).toBe(published);
  });

  it("refuses a wrong, missing or tampered signature", () => {
    expect(verifyTwilioSignature(token, url, params, null)).toBe(false);
    expect(verifyTwilioSignature(token, url, params, "")).toBe(false);
    expect(verifyTwilioSignature(token, url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ")).toBe(false);
    expect(verifyTwilioSignature("54321", url, params, published)).toBe(false);
    expect(verifyTwilioSignature(token, "https://mycompany.com/myapp.php?foo=1&bar=3", params, published)).toBe(false);
    const tampered = new URLSearchParams(params);
    tampered.set("Digits", "9999");
    expect(verifyTwilioSignature(token, url, tampered, published)).toBe(false);
    const extra = new URLSearchParams(params);
    extra.append("Body", "injected");
    expect(verifyTwilioSignature(token, url, extra, published)).toBe(false);
  });

  it("accepts the URL with the default port added or removed, and no other port", () => {
    const withPort = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    // Twilio signed with the port; Conduit is configured without it, and the other way round.
    expect(verifyTwilioSignature(token, url, params, twilioSignature(token, withPort, params))).toBe(true);
    expect(verifyTwilioSignature(token, withPort, params, published)).toBe(true);

    const plain = "http://hooks.example.org/api/webhooks/twilio/abc";
    expect(
      verifyTwilioSignature(token, plain, params, twilioSignature(token, "http://hooks.example.org:80/api/webhooks/twilio/abc", params)),
    ).toBe(true);
    // :80 is not https's default port, and 8443 is another server altogether.
    expect(
      verifyTwilioSignature(token, url, params, twilioSignature(token, "https://mycompany.com:80/myapp.php?foo=1&bar=2", params)),
    ).toBe(false);
    expect(verifyTwilioSignature(token, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", params, published)).toBe(false);
    expect(
      verifyTwilioSignature(token, url, params, twilioSignature(token, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", params)),
    ).toBe(false);
  });

  it("signs each distinct value of a repeated name, sorted, as Twilio's helpers do", () => {
    const repeated = new URLSearchParams(
      "To=%2B18005551212&MediaUrl=https%3A%2F%2Fb.example&MediaUrl=https%3A%2F%2Fa.example&MediaUrl=https%3A%2F%2Fb.example",
    );
    const expected = createHmac("sha1", token)
      .update(`${url}MediaUrlhttps://a.exampleMediaUrlhttps://b.exampleTo+18005551212`)
      .digest("base64");
    expect(twilioSignature(token, url, repeated)).toBe(expected);
  });
});

describe("Twilio webhooks", () => {
  const inboundSms = new URLSearchParams({
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    NumMedia: "0",
    ToCity: "SAN FRANCISCO",
    FromZip: "94105",
    SmsSid: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    FromState: "CA",
    SmsStatus: "received",
    FromCity: "SAN FRANCISCO",
    Body: "Is my order 1042 on its way?",
    FromCountry: "US",
    To: "+14155552671",
    ToZip: "94107",
    NumSegments: "1",
    MessageSid: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    AccountSid: "AC00000000000000000000000000000000",
    From: "+14155550123",
    ApiVersion: "2010-04-01",
  });

  it("reads an inbound SMS", () => {
    const parsed = parseTwilioWebhook(inboundSms);
    expect(parsed.kind).toBe("message");
    if (parsed.kind !== "message") return;
    expect(parsed.message).toMatchObject({
      vendorMessageId: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
      from: "+14155550123",
      name: null,
      text: "Is my order 1042 on its way?",
      replyContext: { to: "+14155552671" },
    });
    expect(Math.abs(parsed.message.sentAt.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it("reads an inbound WhatsApp message, keeping the whatsapp: addresses and the profile name", () => {
    const parsed = parseTwilioWebhook(
      new URLSearchParams({
        SmsMessageSid: "SM4b5c0ad2c8a3a3d5c3d0b2b5a6e6f7a1",
        NumMedia: "0",
        ProfileName: "Ana Souza",
        MessageType: "text",
        SmsSid: "SM4b5c0ad2c8a3a3d5c3d0b2b5a6e6f7a1",
        WaId: "5511987654321",
        SmsStatus: "received",
        Body: "Olá! Vocês entregam no sábado?",
        To: "whatsapp:+14155238886",
        NumSegments: "1",
        ReferralNumMedia: "0",
        MessageSid: "SM4b5c0ad2c8a3a3d5c3d0b2b5a6e6f7a1",
        AccountSid: "AC00000000000000000000000000000000",
        From: "whatsapp:+5511987654321",
        ApiVersion: "2010-04-01",
      }),
    );
    if (parsed.kind !== "message") throw new Error("expected a message");
    expect(parsed.message).toMatchObject({
      from: "whatsapp:+5511987654321",
      name: "Ana Souza",
      text: "Olá! Vocês entregam no sábado?",
      replyContext: { to: "whatsapp:+14155238886" },
    });
  });

  it("takes SmsSid when an older payload has no MessageSid", () => {
    const legacy = new URLSearchParams(inboundSms);
    legacy.delete("MessageSid");
    const parsed = parseTwilioWebhook(legacy);
    expect(parsed.kind === "message" && parsed.message.vendorMessageId).toBe("SM1f0e8ae6ade43cb3c0ce4525424e404f");
  });

  it("tells status callbacks apart from messages", () => {
    for (const status of ["queued", "sent", "delivered", "undelivered", "failed", "read"]) {
      const callback = new URLSearchParams({
        SmsSid: "SM9c4b1a2f3e4d5c6b7a8f9e0d1c2b3a4f",
        SmsStatus: status,
        MessageStatus: status,
        To: "+14155550123",
        MessageSid: "SM9c4b1a2f3e4d5c6b7a8f9e0d1c2b3a4f",
        AccountSid: "AC00000000000000000000000000000000",
        From: "+14155552671",
        ApiVersion: "2010-04-01",
      });
      if (status === "failed") callback.set("ErrorCode", "30003");
      expect(parseTwilioWebhook(callback)).toEqual({ kind: "status" });
    }
  });

  it("refuses a body that is neither a message nor a status callback", () => {
    const noSender = new URLSearchParams(inboundSms);
    noSender.delete("From");
    for (const body of [noSender, new URLSearchParams(), new URLSearchParams({ Body: "hello", From: "+14155550123" })]) {
      let error: unknown;
      try {
        parseTwilioWebhook(body);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe("VALIDATION_FAILED");
      expect((error as ApiError).status).toBe(400);
    }
  });

  it("tells the agent about media it cannot read, with or without a caption", () => {
    const mediaOnly = new URLSearchParams(inboundSms);
    mediaOnly.set("Body", "");
    mediaOnly.set("NumMedia", "2");
    mediaOnly.set("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1");
    mediaOnly.set("MediaContentType0", "image/jpeg");
    mediaOnly.set("MediaUrl1", "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME2");
    mediaOnly.set("MediaContentType1", "audio/ogg");
    const parsed = parseTwilioWebhook(mediaOnly);
    if (parsed.kind !== "message") throw new Error("expected a message");
    expect(parsed.message.text).toMatch(/^\[The sender attached 2 files .*could not be read\.\]$/);

    const captioned = new URLSearchParams(inboundSms);
    captioned.set("Body", "Here is the damaged box");
    captioned.set("NumMedia", "1");
    const withCaption = parseTwilioWebhook(captioned);
    if (withCaption.kind !== "message") throw new Error("expected a message");
    expect(withCaption.message.text.split("\n")).toEqual(["Here is the damaged box", expect.stringContaining("attached 1 file ")]);
  });
});

describe("sendTwilioReply", () => {
  const credentials = { accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "tw-auth-token-do-not-leak" };
  const reply = {
    to: "whatsapp:+5511987654321",
    text: "Sim, entregamos aos sábados & domingos = 100%",
    context: { to: "whatsapp:+14155238886" },
  };

  it("posts the form to Messages.json with Basic auth and returns the message sid", async () => {
    twilioApi.script({ status: 201, body: { sid: "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", status: "queued" } });
    const before = twilioApi.received.length;
    const sent = await sendTwilioReply(credentials, reply);
    expect(sent).toEqual({ vendorMessageId: "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9" });

    const request = twilioApi.received[before];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString("base64")}`,
    );
    expect(request?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request?.rawBody.toString("utf8"));
    expect(Object.fromEntries(form)).toEqual({ From: "whatsapp:+14155238886", To: "whatsapp:+5511987654321", Body: reply.text });
  });

  it("is retryable after Twilio's Retry-After on 429", async () => {
    twilioApi.script({ status: 429, headers: { "retry-after": "7" }, body: { code: 20429, message: "Too Many Requests", status: 429 } });
    const error = await thrown(sendTwilioReply(credentials, reply));
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
    expect((error as Error).message).toContain("20429");
  });

  it("is retryable on a 5xx, with no delay of its own when none was given", async () => {
    twilioApi.script({ status: 503, body: {} });
    const error = await thrown(sendTwilioReply(credentials, reply));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });

  it("is final on a 400, quoting Twilio's code and message but never the auth token", async () => {
    twilioApi.script({
      status: 400,
      body: {
        code: 21211,
        message: "The 'To' number whatsapp:+5511987654321 is not a valid phone number.",
        more_info: "https://www.twilio.com/docs/errors/21211",
        status: 400,
      },
    });
    const error = await thrown(sendTwilioReply(credentials, reply));
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain("21211");
    expect((error as Error).message).toContain("is not a valid phone number");
    expect((error as Error).message).not.toContain(credentials.authToken);
    expect((error as Error).message).not.toContain(Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString("base64"));
  });

  it("is retryable when Twilio does not answer in time", async () => {
    twilioApi.script({ hang: true });
    const started = Date.now();
    const error = await thrown(sendTwilioReply(credentials, reply));
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain("1500 ms");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("keeps the documented length limit", () => {
    expect(TWILIO_MAX_TEXT).toBe(1600);
  });
});

const gmailReply = eml(`Delivered-To: support@shop.example
Received: by 2002:a05:6a10:1234:b0:5a1:1111:2222 with SMTP id abc; Mon, 3 Mar 2025 01:15:43 -0800 (PST)
MIME-Version: 1.0
References: <order-1042-shipped@shop.example>
In-Reply-To: <order-1042-shipped@shop.example>
From: Jane Example <Jane.Example@Gmail.com>
Date: Mon, 3 Mar 2025 10:15:42 +0100
Message-ID: <CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>
Subject: Re: Your order 1042 has shipped
To: Shop Support <support@shop.example>
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6a7b8"

--000000000000a1b2c3d4e5f6a7b8
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Thanks! Could you send it to my office instead? The address is
12 Harbour Street, Leith.

--=20
Jane Example
Head of Things, Example Ltd

On Mon, Mar 3, 2025 at 9:02 AM Shop Support <support@shop.example>
wrote:

> Hello Jane,
>
> Your order 1042 has shipped and should arrive on Wednesday.
>
> Shop Support
>

--000000000000a1b2c3d4e5f6a7b8
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Thanks! Could you send it to my office instead? The address=
 is 12 Harbour Street, Leith.<br clear=3D"all"><div><br></div>-- <br><div>Ja=
ne Example</div></div><br><div class=3D"gmail_quote"><div dir=3D"ltr" class=
=3D"gmail_attr">On Mon, Mar 3, 2025 at 9:02 AM Shop Support &lt;<a href=3D"m=
ailto:support@shop.example">support@shop.example</a>&gt; wrote:<br></div><bl=
ockquote class=3D"gmail_quote">Hello Jane,<br><br>Your order 1042 has shipp=
ed.</blockquote></div>

--000000000000a1b2c3d4e5f6a7b8--
`);

const outlookReply = eml(`From: "Mark Buyer" <mark@buyer.example>
To: Shop Support <support@shop.example>
Subject: RE: Invoice INV-2291
Thread-Topic: Invoice INV-2291
Thread-Index: AQHbjOKl3eGf0m2mTUqgX5a1b2c3dA==
Date: Tue, 4 Mar 2025 14:20:00 +0000
Message-ID: <DB9PR01MB7788A1B2C3D4E5F6@DB9PR01MB7788.eurprd01.prod.outlook.com>
References: <invoice-2291@shop.example> <reply-7@shop.example>
In-Reply-To: <reply-7@shop.example>
Accept-Language: en-GB, en-US
Content-Language: en-GB
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

Hello,

The invoice still shows our old address. Could you correct it to 4 Mill La=
ne, Bristol?

Kind regards,
Mark

________________________________
From: Shop Support <support@shop.example>
Sent: Tuesday, March 4, 2025 1:05 PM
To: Mark Buyer <mark@buyer.example>
Subject: Re: Invoice INV-2291

Hello Mark, your invoice is attached.
`);

/** A plain message from a person, with extra headers spliced in to turn it into what a robot sends. */
const plainMail = (extraHeaders = "", from = "Sam Doe <sam@customer.example>") =>
  eml(`From: ${from}
To: support@shop.example
Subject: Question about sizes
Date: Wed, 5 Mar 2025 08:00:00 +0000
Message-ID: <plain-1@customer.example>
${extraHeaders ? `${extraHeaders}\n` : ""}Content-Type: text/plain; charset=utf-8

Do the boots run small?
`);

describe("parseRawEmail", () => {
  it("reads a Gmail reply: the new text only, the sender, and the thread for the answer", async () => {
    const message = await parsedMessage(gmailReply);
    expect(message.text).toBe("Thanks! Could you send it to my office instead? The address is\n12 Harbour Street, Leith.");
    expect(message.from).toBe("jane.example@gmail.com");
    expect(message.name).toBe("Jane Example");
    expect(message.vendorMessageId).toBe("<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>");
    expect(message.sentAt.toISOString()).toBe("2025-03-03T09:15:42.000Z");
    expect(message.replyContext).toEqual({
      messageId: "<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>",
      references: "<order-1042-shipped@shop.example> <CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>",
      subject: "Re: Your order 1042 has shipped",
      to: "support@shop.example",
    });
  });

  it("reads an Outlook reply, cutting the From:/Sent: block of the earlier mail", async () => {
    const message = await parsedMessage(outlookReply);
    expect(message.text).toBe(
      "Hello,\n\nThe invoice still shows our old address. Could you correct it to 4 Mill Lane, Bristol?\n\nKind regards,\nMark",
    );
    expect(message.name).toBe("Mark Buyer");
    expect(message.replyContext).toEqual({
      messageId: "<DB9PR01MB7788A1B2C3D4E5F6@DB9PR01MB7788.eurprd01.prod.outlook.com>",
      references: "<invoice-2291@shop.example> <reply-7@shop.example> <DB9PR01MB7788A1B2C3D4E5F6@DB9PR01MB7788.eurprd01.prod.outlook.com>",
      subject: "RE: Invoice INV-2291",
      to: "support@shop.example",
    });
  });

  it("decodes an encoded-word subject and sender name and a base64 UTF-8 body", async () => {
    const message = await parsedMessage(
      eml(`From: =?UTF-8?Q?Ren=C3=A9e_M=C3=BCller?= <renee@beispiel.example>
To: support@shop.example
Subject: =?UTF-8?B?QmVzdGVsbHVuZyBmw7xyIENhZsOpIOKYlSAjMjA1MQ==?=
Date: Thu, 6 Mar 2025 09:30:00 +0100
Message-ID: <20250306083000.GA1234@beispiel.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

R3LDvMOfZSBhdXMgTcO8bmNoZW4hIFdhbm4ga29tbXQgbWVpbmUgQmVzdGVsbHVuZz8K
`),
    );
    expect(message.name).toBe("Renée Müller");
    expect(message.replyContext.subject).toBe("Bestellung für Café ☕ #2051");
    expect(message.text).toBe("Grüße aus München! Wann kommt meine Bestellung?");
    // A first mail: the thread starts with it.
    expect(message.replyContext.references).toBe("<20250306083000.GA1234@beispiel.example>");
  });

  it("reads text from the HTML when there is no text part", async () => {
    const message = await parsedMessage(
      eml(`From: web@customer.example
To: support@shop.example
Subject: Sizes
Message-ID: <html-only@customer.example>
Content-Type: text/html; charset=utf-8

<html><head><style>p { color: red }</style></head><body><p>Do the <b>boots</b> run small?</p><p>Thanks &amp; regards</p></body></html>
`),
    );
    expect(message.text).toContain("Do the boots run small?");
    expect(message.text).toContain("Thanks & regards");
    expect(message.text).not.toContain("color");
  });

  it("derives a stable id for mail without a Message-ID, so a repeated delivery still dedupes", async () => {
    const source = `From: sam@customer.example
To: support@shop.example
Subject: No id
Date: Wed, 5 Mar 2025 08:00:00 +0000
Content-Type: text/plain

Hello, is anyone there?
`;
    const first = await parsedMessage(eml(source));
    const again = await parsedMessage(eml(source));
    const other = await parsedMessage(eml(source.replace("anyone", "somebody")));
    expect(first.vendorMessageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.vendorMessageId).toBe(first.vendorMessageId);
    expect(other.vendorMessageId).not.toBe(first.vendorMessageId);
    expect(first.replyContext.messageId).toBeUndefined();
  });

  it("ignores an out-of-office reply marked Auto-Submitted", async () => {
    const ingress = await parseRawEmail(
      eml(`From: Mark Buyer <mark@buyer.example>
To: support@shop.example
Subject: Automatic reply: Invoice INV-2291
Date: Tue, 4 Mar 2025 14:21:00 +0000
Message-ID: <ooo-123@buyer.example>
In-Reply-To: <reply-8@shop.example>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="us-ascii"

I am out of the office until Monday and will reply on my return.
`),
    );
    expect(ingress).toEqual({ kind: "ignored", reason: expect.stringContaining("Auto-Submitted: auto-replied") });
  });

  it("ignores a bounce from MAILER-DAEMON", async () => {
    const ingress = await parseRawEmail(
      eml(`Return-Path: <>
Date: Tue, 4 Mar 2025 14:25:00 +0000 (UTC)
From: MAILER-DAEMON@mx.shop.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@shop.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="5F2A8C1B3D.1741098300/mx.shop.example"
Message-Id: <20250304142500.5F2A8C1B3D@mx.shop.example>

--5F2A8C1B3D.1741098300/mx.shop.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@buyer.example>: host mx.buyer.example said: 550 5.1.1 User unknown

--5F2A8C1B3D.1741098300/mx.shop.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example
Final-Recipient: rfc822; nobody@buyer.example
Action: failed
Status: 5.1.1

--5F2A8C1B3D.1741098300/mx.shop.example--
`),
    );
    expect(ingress.kind).toBe("ignored");
  });

  it.each([
    ["Auto-Submitted: auto-generated", "", /Auto-Submitted: auto-generated/],
    ["Precedence: bulk", "", /Precedence: bulk/],
    ["Precedence: junk", "", /Precedence: junk/],
    ["Precedence: list", "", /Precedence: list/],
    ["X-Autoreply: yes", "", /X-Autoreply/],
    ["X-Autorespond: Out of office", "", /X-Autorespond/],
    ["List-Id: Boot lovers <boots.lists.example>", "", /List-Id/],
    ["List-Unsubscribe: <mailto:unsubscribe@news.example>", "", /List-Unsubscribe/],
    ["Return-Path: <>", "", /Return-Path/],
    ["", "Mail Delivery Subsystem <MAILER-DAEMON@mail.example>", /mailer-daemon/],
    ["", "postmaster@mail.example", /postmaster/],
    ["", "Shop Notifications <no-reply@notify.example>", /no-reply/],
    ["", "noreply@notify.example", /no-reply/],
    ["", "do_not_reply@notify.example", /no-reply/],
  ])("ignores robots' mail: %s %s", async (headers, from, reason) => {
    const ingress = await parseRawEmail(plainMail(headers, from || undefined));
    expect(ingress.kind).toBe("ignored");
    expect(ingress.kind === "ignored" && ingress.reason).toMatch(reason);
  });

  it("answers mail that says it is not automatic, from an ordinary address", async () => {
    expect((await parseRawEmail(plainMail("Auto-Submitted: no"))).kind).toBe("message");
    expect((await parseRawEmail(plainMail("Precedence: first-class"))).kind).toBe("message");
    expect((await parseRawEmail(plainMail("", "Reply Team <replies@shop.example>"))).kind).toBe("message");
  });

  it("ignores a reply that adds nothing above the quote", async () => {
    const ingress = await parseRawEmail(
      eml(`From: sam@customer.example
To: support@shop.example
Subject: Re: Question about sizes
Message-ID: <empty-reply@customer.example>
Content-Type: text/plain

On Wed, 5 Mar 2025 at 09:00, Shop Support <support@shop.example> wrote:
> They run half a size small.
`),
    );
    expect(ingress).toEqual({ kind: "ignored", reason: expect.stringContaining("no new text") });
  });

  it("mentions attachments it cannot read", async () => {
    const message = await parsedMessage(
      eml(`From: sam@customer.example
To: support@shop.example
Subject: Receipt
Message-ID: <with-pdf@customer.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed"

--mixed
Content-Type: text/plain; charset=utf-8

Receipt attached.
--mixed
Content-Type: application/pdf; name="receipt.pdf"
Content-Disposition: attachment; filename="receipt.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==
--mixed--
`),
    );
    expect(message.text).toBe("Receipt attached.\n\n[The sender attached 1 file that could not be read.]");
  });

  it(`cuts the text at ${EMAIL_MAX_TEXT} characters and says so`, async () => {
    const long = Array.from({ length: 600 }, (_, line) => `Line ${line}: ${"lorem ipsum dolor sit amet ".repeat(2)}`).join("\n");
    const message = await parsedMessage(eml(`From: sam@customer.example\nTo: support@shop.example\nSubject: Long\n\n${long}\n`));
    expect(long.length).toBeGreaterThan(EMAIL_MAX_TEXT);
    expect(message.text.startsWith(long.slice(0, EMAIL_MAX_TEXT))).toBe(true);
    expect(message.text.length).toBeLessThan(EMAIL_MAX_TEXT + 200);
    expect(message.text).toMatch(/\[The rest of this email was cut/);
  });
});

describe("stripQuotedReply", () => {
  it("cuts at -----Original Message-----", () => {
    expect(stripQuotedReply("Yes, please cancel it.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\n\nShall we cancel?")).toBe(
      "Yes, please cancel it.",
    );
  });

  it("keeps a forwarded mail, which the writer wants read", () => {
    const forward = [
      "Can you check this one?",
      "",
      "---------- Forwarded message ---------",
      "From: Courier <tracking@courier.example>",
      "Date: Mon, Mar 3, 2025 at 9:02 AM",
      "Subject: Delivery failed",
      "To: <sam@customer.example>",
      "",
      "We could not deliver parcel 8812.",
    ].join("\n");
    expect(stripQuotedReply(forward)).toBe(forward);
  });

  it("cuts a one-line attribution and the quote under it", () => {
    expect(
      stripQuotedReply("Great, thanks.\r\n\r\nOn 3 Mar 2025, at 10:15, Shop <s@shop.example> wrote:\r\n\r\n> Shipped.\r\n> \r\n"),
    ).toBe("Great, thanks.");
  });

  it("cuts a quote whose > marks were lost in conversion from HTML", () => {
    expect(
      stripQuotedReply("Perfect.\n\nOn Mon, Mar 3, 2025 at 9:02 AM Shop Support <support@shop.example> wrote:\nYour order has shipped."),
    ).toBe("Perfect.");
  });

  it("keeps an inline reply, where the writer answers between the quotes", () => {
    const inline = [
      "On Mon, Mar 3, 2025 at 9:02 AM Shop Support <support@shop.example> wrote:",
      "> Which colour would you like?",
      "Black, please.",
      "> And which size?",
      "Size 42.",
      "> Thanks!",
    ].join("\n");
    expect(stripQuotedReply(inline)).toBe(inline.split("\n").slice(0, 5).join("\n"));
  });

  it("keeps prose that merely looks like an attribution", () => {
    const prose = "On Monday my colleague wrote:\nPlease cancel the second pair.\nCan you confirm?";
    expect(stripQuotedReply(prose)).toBe(prose);
  });

  it("cuts the signature after '-- '", () => {
    expect(stripQuotedReply("See you then.\n-- \nSam Doe\n+44 20 7946 0000")).toBe("See you then.");
  });

  it("is empty for a message that is all quote", () => {
    expect(stripQuotedReply("> quoted\n>\n> more\n")).toBe("");
  });
});

describe("parsePostmarkInbound", () => {
  const postmark = {
    FromName: "Jane Example",
    MessageStream: "inbound",
    From: "Jane.Example@gmail.com",
    FromFull: { Email: "Jane.Example@gmail.com", Name: "Jane Example", MailboxHash: "" },
    To: '"Shop Support" <support+agent42@inbound.shop.example>',
    ToFull: [{ Email: "support+agent42@inbound.shop.example", Name: "Shop Support", MailboxHash: "agent42" }],
    Cc: "",
    CcFull: [],
    Bcc: "",
    BccFull: [],
    OriginalRecipient: "support+agent42@inbound.shop.example",
    Subject: "Re: Your order 1042 has shipped",
    MessageID: "73e6d360-66eb-11e1-8e72-a8904824019b",
    ReplyTo: "",
    MailboxHash: "agent42",
    Date: "Mon, 3 Mar 2025 10:15:42 +0100",
    TextBody:
      "Could you send it to my office instead?\n\nOn Mon, Mar 3, 2025 at 9:02 AM Shop Support <support@shop.example> wrote:\n> Your order has shipped.",
    HtmlBody: '<div dir="ltr">Could you send it to my office instead?</div>',
    StrippedTextReply: "Could you send it to my office instead?",
    Tag: "",
    Headers: [
      { Name: "Return-Path", Value: "<jane.example@gmail.com>" },
      { Name: "X-Spam-Status", Value: "No" },
      { Name: "MIME-Version", Value: "1.0" },
      { Name: "References", Value: "<order-1042-shipped@shop.example>" },
      { Name: "In-Reply-To", Value: "<order-1042-shipped@shop.example>" },
      { Name: "Message-ID", Value: "<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>" },
    ],
    Attachments: [],
  };

  it("reads Postmark's inbound JSON, preferring its stripped reply and the mail's own Message-ID", () => {
    const ingress = parsePostmarkInbound(postmark);
    if (ingress.kind !== "message") throw new Error(`expected a message, got ignored: ${ingress.reason}`);
    expect(ingress.message).toEqual({
      vendorMessageId: "<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>",
      from: "jane.example@gmail.com",
      name: "Jane Example",
      text: "Could you send it to my office instead?",
      sentAt: new Date("2025-03-03T09:15:42.000Z"),
      replyContext: {
        messageId: "<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>",
        references: "<order-1042-shipped@shop.example> <CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>",
        subject: "Re: Your order 1042 has shipped",
        to: "support+agent42@inbound.shop.example",
      },
    });
  });

  it("falls back to the text body (stripped), then to the HTML", () => {
    const fromText = parsePostmarkInbound({ ...postmark, StrippedTextReply: "" });
    expect(fromText.kind === "message" && fromText.message.text).toBe("Could you send it to my office instead?");
    const fromHtml = parsePostmarkInbound({
      ...postmark,
      StrippedTextReply: "",
      TextBody: "",
      HtmlBody: "<p>Hello<br>there &lt;3</p><script>alert(1)</script>",
    });
    expect(fromHtml.kind === "message" && fromHtml.message.text).toBe("Hello\nthere <3");
  });

  it("reads hostile HTML in linear time", () => {
    // Unclosed comments, scripts and tags by the ten thousand: a backtracking pass would take minutes.
    const hostile = `<p>Hi</p>${"<!--<script<style<title<".repeat(8_000)}`;
    const started = performance.now();
    const ingress = parsePostmarkInbound({ ...postmark, StrippedTextReply: "", TextBody: "", HtmlBody: hostile });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(ingress.kind === "message" && ingress.message.text).toBe("Hi");
  });

  it("uses Postmark's MessageID without a Message-ID header, and a digest without either", () => {
    const headers = postmark.Headers.filter((entry) => entry.Name !== "Message-ID");
    const byPostmarkId = parsePostmarkInbound({ ...postmark, Headers: headers });
    expect(byPostmarkId.kind === "message" && byPostmarkId.message.vendorMessageId).toBe("73e6d360-66eb-11e1-8e72-a8904824019b");
    expect(byPostmarkId.kind === "message" && byPostmarkId.message.replyContext.messageId).toBeUndefined();

    const anonymous = { ...postmark, Headers: headers, MessageID: "" };
    const first = parsePostmarkInbound(anonymous);
    const again = parsePostmarkInbound(JSON.parse(JSON.stringify(anonymous)));
    expect(first.kind === "message" && first.message.vendorMessageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.kind === "message" && again.message.vendorMessageId).toBe(first.kind === "message" && first.message.vendorMessageId);
  });

  it("ignores auto-replies by their headers", () => {
    const ingress = parsePostmarkInbound({
      ...postmark,
      Headers: [...postmark.Headers, { Name: "auto-submitted", Value: "auto-replied" }],
    });
    expect(ingress).toEqual({ kind: "ignored", reason: expect.stringContaining("Auto-Submitted") });
  });

  it("refuses a body that is not Postmark's inbound JSON", () => {
    for (const body of [
      null,
      "text",
      { ...postmark, From: undefined },
      { ...postmark, Headers: "Message-ID: x" },
      { ...postmark, TextBody: 42 },
    ]) {
      let error: unknown;
      try {
        parsePostmarkInbound(body);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe("VALIDATION_FAILED");
    }
  });
});

describe("sendEmailReply", () => {
  it("answers in the thread, marked Auto-Submitted, through the SMTP relay", async () => {
    const inbound = await parsedMessage(gmailReply);
    const before = smtp.messages.length;
    const sent = await sendEmailReply(
      { fromAddress: "support@shop.example", fromName: "Shop Support" },
      { to: inbound.from, text: "Of course: it will go to 12 Harbour Street.", context: inbound.replyContext },
    );
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    if (!mail) throw new Error("no mail arrived");

    expect(sent.vendorMessageId).toBe(mail.messageId);
    expect(mail.user).toBe("conduit");
    expect(mail.envelope).toEqual({ from: "support@shop.example", to: ["jane.example@gmail.com"] });
    expect(mail.from).toEqual({ name: "Shop Support", address: "support@shop.example" });
    expect(mail.to).toEqual([{ name: "", address: "jane.example@gmail.com" }]);
    expect(mail.subject).toBe("Re: Your order 1042 has shipped");
    expect(mail.inReplyTo).toBe("<CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>");
    expect(mail.references).toBe("<order-1042-shipped@shop.example> <CAF=kq9xW1mZbZ_0p3vT+Yz@mail.gmail.com>");
    expect(mail.headers.find((entry) => entry.key === "auto-submitted")?.value).toBe("auto-replied");
    expect(mail.text?.trim()).toBe("Of course: it will go to 12 Harbour Street.");

    // The answer is not itself taken for a person's mail if it comes back to an inbox.
    expect(await parseRawEmail(new TextEncoder().encode(mail.raw))).toMatchObject({ kind: "ignored" });
  });

  it("adds Re: once, and keeps a UTF-8 subject intact", async () => {
    expect(replySubject("Re: Order 1042")).toBe("Re: Order 1042");
    expect(replySubject("RE: Invoice")).toBe("RE: Invoice");
    expect(replySubject("Order\r\n 1042")).toBe("Re: Order 1042");
    const before = smtp.messages.length;
    await sendEmailReply(
      { fromAddress: "support@shop.example" },
      { to: "renee@beispiel.example", text: "Morgen.", context: { subject: "Bestellung für Café ☕ #2051", messageId: "<a@b.example>" } },
    );
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.subject).toBe("Re: Bestellung für Café ☕ #2051");
    expect(mail?.from).toEqual({ name: "", address: "support@shop.example" });
    expect(mail?.inReplyTo).toBe("<a@b.example>");
  });

  it("is retryable on an SMTP 4xx and final on a 5xx", async () => {
    const reply = { to: "sam@customer.example", text: "They run half a size small.", context: { subject: "Sizes" } };
    smtp.refuseNext(451, "4.3.0 Temporary local problem, try again later");
    const temporary = await thrown(sendEmailReply({ fromAddress: "support@shop.example" }, reply));
    expect(temporary).toBeInstanceOf(ChannelSendError);
    expect(temporary).toMatchObject({ retryable: true });
    expect((temporary as Error).message).toContain("451");

    smtp.refuseNext(554, "5.7.1 Message rejected as spam");
    const permanent = await thrown(sendEmailReply({ fromAddress: "support@shop.example" }, reply));
    expect(permanent).toMatchObject({ retryable: false });
    expect((permanent as Error).message).toContain("554");
    expect((permanent as Error).message).not.toContain("relay-password");
  });
});
